import { startFakeLlm } from './fake-llm';

describe('fake LLM upstream', () => {
  it('streams OpenAI SSE ending with [DONE], with usage when asked', async () => {
    const sut = await startFakeLlm({ tokens: ['a', 'b'] });
    try {
      const res = await fetch(`${sut.openaiBaseUrl}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'fake-model',
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'hi you' }],
        }),
      });
      const text = await res.text();
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      expect(text.trim().split('\n\n').at(-1)).toBe('data: [DONE]');
      expect(text).toContain('"usage":{"prompt_tokens":2,"completion_tokens":2,"total_tokens":4}');
      await sut.waitFor((s) => s.completedStreams === 1);
    } finally {
      await sut.close();
    }
  });

  it('leaves token counts out when reportUsage is false, and records every request body', async () => {
    const sut = await startFakeLlm({ tokens: ['a'], reportUsage: false });
    try {
      const ask = async (path: string, model: string) =>
        (await (
          await fetch(`${sut.url}${path}`, {
            method: 'POST',
            body: JSON.stringify({ model, stream: false, messages: [{ role: 'user', content: 'hi' }] }),
          })
        ).json()) as Record<string, unknown>;
      const openai = await ask('/v1/chat/completions', 'fake-model');
      const ollama = await ask('/api/chat', 'fake-model');
      expect(openai).not.toHaveProperty('usage');
      expect(ollama).not.toHaveProperty('eval_count');
      expect(sut.stats.requestBodies.map((b) => b.model)).toEqual(['fake-model', 'fake-model']);
      sut.set({ reportUsage: true });
      expect(await ask('/v1/chat/completions', 'fake-model')).toHaveProperty('usage.completion_tokens', 1);
    } finally {
      await sut.close();
    }
  });

  it('breaks an Ollama NDJSON stream after N tokens and counts it as aborted', async () => {
    const sut = await startFakeLlm({
      tokens: ['a', 'b', 'c'],
      failure: { mode: 'break', afterTokens: 1, times: 1 },
      tokenDelayMs: 10,
    });
    try {
      const res = await fetch(`${sut.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: 'fake-model', messages: [] }),
      });
      await expect(res.text()).rejects.toThrow();
      await sut.waitFor((s) => s.abortedStreams === 1 && s.activeStreams === 0);
      const again = await fetch(`${sut.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: 'fake-model', stream: false, messages: [] }),
      });
      expect(await again.json()).toMatchObject({ message: { content: 'abc' }, done: true, eval_count: 3 });
    } finally {
      await sut.close();
    }
  });

  it('answers errors in each format: unknown model, set status, missing key', async () => {
    const sut = await startFakeLlm({
      apiKey: 'k',
      failure: { mode: 'status', status: 429, message: 'slow down' },
    });
    try {
      const auth = { authorization: 'Bearer k' };
      const missing = await fetch(`${sut.openaiBaseUrl}/models`);
      expect(missing.status).toBe(401);
      const unknown = await fetch(`${sut.url}/api/chat`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ model: 'x' }),
      });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: expect.stringContaining('"x" not found') });
      const limited = await fetch(`${sut.openaiBaseUrl}/chat/completions`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ model: 'fake-model', messages: [] }),
      });
      expect(limited.status).toBe(429);
      expect(await limited.json()).toMatchObject({ error: { message: 'slow down' } });
    } finally {
      await sut.close();
    }
  });
});
