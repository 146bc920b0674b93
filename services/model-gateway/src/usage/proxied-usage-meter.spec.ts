import { ProxiedUsageMeter } from './proxied-usage-meter';

const request = (model: string) =>
  Buffer.from(JSON.stringify({ model, messages: [{ role: 'user', content: 'x'.repeat(40) }] }));

function feed(meter: ProxiedUsageMeter, contentType: string, text: string, pieces = 7): void {
  meter.head(contentType);
  const bytes = Buffer.from(text);
  const size = Math.ceil(bytes.length / pieces);
  for (let i = 0; i < bytes.length; i += size) meter.observe(bytes.subarray(i, i + size));
}

describe('ProxiedUsageMeter', () => {
  it('reads OpenAI SSE usage, even when lines are split across chunks', () => {
    const meter = new ProxiedUsageMeter(request('gpt-x'));
    feed(
      meter,
      'text/event-stream',
      'data: {"choices":[{"delta":{"content":"Hello"}}]}\n\n' +
        'data: {"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":2}}\n\ndata: [DONE]\n\n',
    );
    expect(meter.model).toBe('gpt-x');
    expect(meter.result()).toEqual({ promptTokens: 11, completionTokens: 2, estimated: false });
  });

  it('reads SSE the way the standard says: CRLF endings, comments, multi-byte text split mid-character', () => {
    const meter = new ProxiedUsageMeter(request('gpt-x'));
    // 40 two-byte characters in 13 pieces: a decoder per chunk would count replacement characters.
    feed(
      meter,
      'text/event-stream; charset=utf-8',
      `: keep-alive\r\n\r\ndata: {"choices":[{"delta":{"content":"${'ü'.repeat(40)}"}}]}\r\n\r\ndata: [DONE]\r\n\r\n`,
      13,
    );
    expect(meter.result()).toEqual({ promptTokens: 10, completionTokens: 10, estimated: true });
  });

  it('estimates a stream without usage from its text', () => {
    const meter = new ProxiedUsageMeter(request('gpt-x'));
    feed(
      meter,
      'text/event-stream',
      'data: {"choices":[{"delta":{"content":"12345678"}}]}\n\ndata: [DONE]\n\n',
    );
    expect(meter.result()).toEqual({ promptTokens: 10, completionTokens: 2, estimated: true });
  });

  it('reads Ollama NDJSON counts from the last line', () => {
    const meter = new ProxiedUsageMeter(request('llama'));
    feed(
      meter,
      'application/x-ndjson',
      '{"message":{"content":"Hi"},"done":false}\n{"message":{"content":""},"done":true,"prompt_eval_count":7,"eval_count":3}\n',
    );
    expect(meter.result()).toEqual({ promptTokens: 7, completionTokens: 3, estimated: false });
  });

  it('reads a one-piece JSON answer: OpenAI usage, Ollama counts, or an estimate', () => {
    const openai = new ProxiedUsageMeter(request('gpt-x'));
    feed(
      openai,
      'application/json',
      '{"choices":[{"message":{"content":"ok"}}],"usage":{"prompt_tokens":5,"completion_tokens":1}}',
    );
    expect(openai.result()).toEqual({ promptTokens: 5, completionTokens: 1, estimated: false });

    const ollama = new ProxiedUsageMeter(request('llama'));
    feed(
      ollama,
      'application/json',
      '{"message":{"content":"ok"},"done":true,"prompt_eval_count":4,"eval_count":2}',
    );
    expect(ollama.result()).toEqual({ promptTokens: 4, completionTokens: 2, estimated: false });

    const bare = new ProxiedUsageMeter(request('gpt-x'));
    feed(bare, 'application/json', '{"choices":[{"message":{"content":"12345678"}}]}');
    expect(bare.result()).toEqual({ promptTokens: 10, completionTokens: 2, estimated: true });
  });
});
