import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { estimateTokens, promptChars, StreamUsageMeter, TokenUsage, usageOf } from './token-usage';

type Json = Record<string, unknown>;

/** The most of a non-streamed answer kept to read its usage from (larger answers are estimated). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Reads the usage of a completion that went through the /openai or /ollama pass-through from the bytes
 * flowing back, without changing them: OpenAI SSE `data:` chunks, Ollama NDJSON lines, or one JSON
 * body. The upstream's figures when it sends them (OpenAI `usage`, Ollama `prompt_eval_count` and
 * `eval_count`), otherwise an estimate from the text, as for every other completion.
 */
export class ProxiedUsageMeter {
  readonly model: string;
  private readonly messages: unknown;
  private readonly stream: StreamUsageMeter;
  private pending = '';
  private body: Buffer[] = [];
  private bodyBytes = 0;
  private ollama?: { prompt: number; completion: number };
  private ollamaChars = 0;
  /** Only a one-piece JSON answer is kept whole (a stream is read event by event or line by line). */
  private keepBody = false;
  /** UTF-8 characters split across chunks are joined before any parsing. */
  private readonly decoder = new StringDecoder('utf8');
  /** Set for `text/event-stream` answers: SSE read with eventsource-parser, as for every other stream. */
  private sse?: EventSourceParser;

  constructor(requestBody: Buffer) {
    let request: Json = {};
    try {
      request = JSON.parse(requestBody.toString('utf8')) as Json;
    } catch {
      // not JSON: the upstream will say so; nothing to count
    }
    this.model = typeof request.model === 'string' ? request.model : '';
    this.messages = request.messages;
    this.stream = new StreamUsageMeter(request.messages);
  }

  /** The response's content type, from its head. */
  head(contentType: string): void {
    this.keepBody = /application\/json/i.test(contentType);
    if (/text\/event-stream/i.test(contentType))
      this.sse = createParser({
        onEvent: ({ data }) => {
          if (data && data !== '[DONE]') this.stream.observe(data);
        },
      });
  }

  observe(chunk: Buffer): void {
    if (this.keepBody && this.bodyBytes < MAX_BODY_BYTES) {
      this.body.push(chunk);
      this.bodyBytes += chunk.length;
    }
    const decoded = this.decoder.write(chunk);
    if (this.sse) return this.sse.feed(decoded);
    // NDJSON (Ollama) or an answer of unknown type: line by line.
    const text = this.pending + decoded;
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.line(line.trim());
  }

  private line(line: string): void {
    if (!line) return;
    if (line.startsWith('data:')) {
      const data = line.slice(5).trim();
      if (data && data !== '[DONE]') this.stream.observe(data);
      return;
    }
    if (line.startsWith('{')) this.ollamaLine(line);
  }

  private ollamaLine(line: string): void {
    let chunk: Json;
    try {
      chunk = JSON.parse(line) as Json;
    } catch {
      return;
    }
    const content = (chunk.message as Json | undefined)?.content;
    if (typeof content === 'string') this.ollamaChars += content.length;
    const prompt = Number(chunk.prompt_eval_count);
    const completion = Number(chunk.eval_count);
    if (chunk.done === true && Number.isFinite(prompt) && Number.isFinite(completion))
      this.ollama = { prompt, completion };
  }

  /** The usage, once the response has ended. */
  result(): TokenUsage {
    const rest = this.decoder.end();
    if (this.sse) {
      // Ends a last event the upstream left open.
      this.sse.feed(`${rest}\n\n`);
    } else {
      this.pending += rest;
      if (this.pending.trim()) this.line(this.pending.trim());
    }
    this.pending = '';
    if (this.ollama)
      return { promptTokens: this.ollama.prompt, completionTokens: this.ollama.completion, estimated: false };
    const streamed = this.stream.result();
    if (!streamed.estimated) return streamed;
    // One JSON body (non-streamed OpenAI answer): its usage, or the text of its choices.
    if (this.keepBody && this.bodyBytes <= MAX_BODY_BYTES) {
      try {
        const parsed = JSON.parse(Buffer.concat(this.body).toString('utf8')) as Json;
        const reported = usageOf(parsed);
        if (reported)
          return { promptTokens: reported.prompt, completionTokens: reported.completion, estimated: false };
        const choices = (parsed.choices as Json[] | undefined) ?? [];
        const chars = choices.reduce((sum, c) => {
          const content = (c?.message as Json | undefined)?.content;
          return sum + (typeof content === 'string' ? content.length : 0);
        }, 0);
        return {
          promptTokens: estimateTokens(promptChars(this.messages)),
          completionTokens: estimateTokens(chars + this.ollamaChars),
          estimated: true,
        };
      } catch {
        // a stream, not one body: the streamed estimate below
      }
    }
    if (this.ollamaChars)
      return {
        promptTokens: estimateTokens(promptChars(this.messages)),
        completionTokens: estimateTokens(this.ollamaChars),
        estimated: true,
      };
    return streamed;
  }
}
