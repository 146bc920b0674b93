import { ChunkBatcher } from './chunk-batcher';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('ChunkBatcher', () => {
  it('sends chunks added in the same turn as one batch, and a lone chunk on its own', async () => {
    const sent: string[][] = [];
    const batcher = new ChunkBatcher(async (chunks) => (sent.push(chunks), true));
    await batcher.add('a');
    await batcher.add('b');
    await batcher.add('c');
    await turn();
    await batcher.add('d');
    await turn();
    await batcher.flush();
    expect(sent).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('keeps order across a slow write and gathers what arrives meanwhile', async () => {
    const sent: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new ChunkBatcher(async (chunks) => {
      sent.push(chunks);
      if (sent.length === 1) await gate;
      return true;
    });
    await batcher.add('1');
    await turn(); // the first write starts and waits for the reader
    for (const chunk of ['2', '3', '4']) {
      await batcher.add(chunk);
      await turn();
    }
    expect(sent).toEqual([['1']]);
    release();
    await batcher.flush();
    expect(sent.flat()).toEqual(['1', '2', '3', '4']);
    expect(sent.length).toBeLessThan(4);
  });

  it('sends what is held with the end as the last batch, or the end alone', async () => {
    const sent: Array<[string[], boolean]> = [];
    const batcher = new ChunkBatcher(async (chunks, last) => (sent.push([chunks, last]), true));
    await batcher.add('a');
    await turn();
    await batcher.add('b'); // the upstream's final read: the last token and the end together
    await batcher.add('c');
    expect(await batcher.end()).toBe(true);
    await turn();
    expect(sent).toEqual([
      [['a'], false],
      [['b', 'c'], true],
    ]);

    const alone: Array<[string[], boolean]> = [];
    const drained = new ChunkBatcher(async (chunks, last) => (alone.push([chunks, last]), true));
    await drained.add('x');
    await turn();
    await drained.end();
    expect(alone).toEqual([
      [['x'], false],
      [[], true],
    ]);
  });

  it('stops sending once the reader has gone', async () => {
    const sent: string[][] = [];
    const batcher = new ChunkBatcher(async (chunks) => (sent.push(chunks), false));
    await batcher.add('x');
    await turn();
    await batcher.add('y');
    expect(await batcher.flush()).toBe(false);
    expect(batcher.isOpen).toBe(false);
    expect(sent).toEqual([['x']]);
  });
});
