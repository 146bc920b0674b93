import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * The `data` of each server-sent event in a byte stream (an OpenAI-compatible upstream's stream), read
 * with eventsource-parser: events split across chunks, CRLF or CR line endings, comments, `event:`/`id:`
 * fields and multi-line data (joined with `\n`, as the SSE standard says) are all handled there. UTF-8
 * characters split across chunks are joined before parsing. An event the upstream did not end with a
 * blank line before closing is still delivered.
 */
export async function* sseData(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  for await (const chunk of chunks) {
    parser.feed(decoder.write(chunk));
    while (events.length) yield events.shift()!.data;
  }
  const rest = decoder.end();
  if (rest) parser.feed(rest);
  // Ends a last line and event the upstream left open (a blank line after a complete event adds nothing).
  parser.feed('\n\n');
  while (events.length) yield events.shift()!.data;
}
