import { sseData } from './sse-data';

async function* chunksOf(...parts: Array<string | Buffer>): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.isBuffer(part) ? part : Buffer.from(part, 'utf8');
}

async function collect(...parts: Array<string | Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const data of sseData(chunksOf(...parts))) out.push(data);
  return out;
}

describe('sseData (eventsource-parser over upstream bytes)', () => {
  it('joins events split across chunk boundaries, even inside "data:" and inside a UTF-8 character', async () => {
    const euro = Buffer.from('€', 'utf8'); // three bytes
    expect(
      await collect(
        'da',
        'ta: {"a":1}\n',
        '\ndata: {"b":"',
        euro.subarray(0, 1),
        euro.subarray(1),
        '"}\n\ndata: [DO',
        'NE]\n\n',
      ),
    ).toEqual(['{"a":1}', '{"b":"€"}', '[DONE]']);
  });

  it('reads CRLF and lone CR line endings, including a CRLF split between chunks', async () => {
    expect(await collect('data: one\r\n\r\ndata: two\r', '\n\r\ndata: three\r\rdata: four\r\n\r\n')).toEqual([
      'one',
      'two',
      'three',
      'four',
    ]);
  });

  it('skips comments, event names, ids and retry fields, and keeps only the data', async () => {
    expect(
      await collect(': keep-alive\n\n', 'event: message\nid: 7\nretry: 1000\ndata: {"x":1}\n\n', ':\n\n'),
    ).toEqual(['{"x":1}']);
  });

  it('joins multi-line data with a newline, as the SSE standard says', async () => {
    expect(await collect('data: {"text":\ndata: "two lines"}\n\n')).toEqual(['{"text":\n"two lines"}']);
  });

  it('still delivers a last event the upstream closed without a blank line', async () => {
    expect(await collect('data: {"a":1}\n\ndata: {"last":true}')).toEqual(['{"a":1}', '{"last":true}']);
    expect(await collect()).toEqual([]);
  });
});
