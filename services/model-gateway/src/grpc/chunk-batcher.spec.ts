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
