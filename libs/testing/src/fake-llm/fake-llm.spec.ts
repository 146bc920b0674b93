import { embeddingFromBase64, fakeEmbedding } from './fake-embeddings';
import { startFakeLlm, type FakeLlm } from './fake-llm';

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

/** The fields the tests read, across the formats (each answer has some of them). */
interface Answer {
  model?: string;
  response?: string;
  done?: boolean;
  done_reason?: string;
  data: Array<{ object: string; index: number; embedding: number[] }>;
  embeddings: number[][];
  results: Array<{ index: number; relevance_score: number }>;
  error: { message: string; code?: string };
}

async function post(
  fake: FakeLlm,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Answer }> {
  const res = await fetch(`${fake.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Answer };
}

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

  it("answers Ollama's generate, and its empty-prompt unload call as Ollama does", async () => {
    const sut = await startFakeLlm({ models: ['m:latest'], tokens: ['x', 'y'] });
    try {
      const unload = await post(sut, '/api/generate', { model: 'm:latest', prompt: '', keep_alive: 0 });
      expect(unload).toMatchObject({
        status: 200,
        body: { model: 'm:latest', response: '', done_reason: 'unload' },
      });
      const answer = await post(sut, '/api/generate', { model: 'm:latest', prompt: 'hi', stream: false });
      expect(answer.body).toMatchObject({ response: 'xy', done: true, done_reason: 'stop' });
      expect((await post(sut, '/api/generate', { model: 'other', prompt: '' })).status).toBe(404);
      expect(sut.stats.requestBodies[0]).toEqual({ model: 'm:latest', prompt: '', keep_alive: 0 });
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

  describe('embeddings', () => {
    let sut: FakeLlm;
    beforeAll(async () => {
      sut = await startFakeLlm();
    });
    afterAll(() => sut.close());
    beforeEach(() => sut.resetStats());

    const texts = [
      'The harbour of Velmora freezes every January.',
      'Quarterly revenue grew by twelve percent in the northern region.',
      'Our refund policy allows returns within thirty days of purchase.',
    ];

    it('answers OpenAI /v1/embeddings in its shape, and the nearest text to a question shares its words', async () => {
      const { status, body } = await post(sut, '/v1/embeddings', {
        model: 'fake-embed',
        input: [...texts, 'When does the harbour of Velmora freeze?'],
      });
      expect(status).toBe(200);
      expect(body).toMatchObject({ object: 'list', model: 'fake-embed', usage: { prompt_tokens: 34 } });
      expect(body.data.map((d: { object: string; index: number }) => [d.object, d.index])).toEqual([
        ['embedding', 0],
        ['embedding', 1],
        ['embedding', 2],
        ['embedding', 3],
      ]);
      const vectors: number[][] = body.data.map((d: { embedding: number[] }) => d.embedding);
      expect(vectors.map((v) => v.length)).toEqual([384, 384, 384, 384]);
      expect(cosine(vectors[0]!, vectors[0]!)).toBeCloseTo(1, 10);
      const question = vectors[3]!;
      const ranked = [0, 1, 2].sort((a, b) => cosine(question, vectors[b]!) - cosine(question, vectors[a]!));
      expect(ranked[0]).toBe(0);
      expect(cosine(question, vectors[0]!)).toBeGreaterThan(0.5);
      expect(cosine(question, vectors[2]!)).toBeLessThan(0.2);
      // deterministic across requests and equal to the exported function's vector
      const again = await post(sut, '/embeddings', { model: 'fake-embed', input: texts[1] });
      expect(again.body.data[0].embedding).toEqual(vectors[1]);
      expect(fakeEmbedding(texts[1]!)).toEqual(vectors[1]);
    });

    it('takes the dimension from the model name, in Ollama /api/embed too, and base64 decodes to the floats', async () => {
      const ollama = await post(sut, '/api/embed', { model: 'fake-embed-768', input: texts });
      expect(ollama.status).toBe(200);
      expect(ollama.body.model).toBe('fake-embed-768');
      expect(ollama.body.embeddings.map((v: number[]) => v.length)).toEqual([768, 768, 768]);
      const floats = await post(sut, '/v1/embeddings', { model: 'fake-embed-768', input: texts[2] });
      const encoded = await post(sut, '/v1/embeddings', {
        model: 'fake-embed-768',
        input: texts[2],
        encoding_format: 'base64',
      });
      expect(typeof encoded.body.data[0].embedding).toBe('string');
      const decoded = embeddingFromBase64(encoded.body.data[0].embedding as unknown as string);
      expect(decoded).toHaveLength(768);
      decoded.forEach((value, i) => expect(value).toBeCloseTo(floats.body.data[0].embedding[i], 6));
      expect(ollama.body.embeddings[2]).toEqual(floats.body.data[0].embedding);
      // another dimension means another space: 384 and 768 vectors of one text differ in length
      const small = await post(sut, '/api/embed', { model: 'fake-embed', input: texts[2] });
      expect(small.body.embeddings[0]).toHaveLength(384);
    });

    it('answers an unknown or absent model with 404 and bad input with 400, in each format, and records every request', async () => {
      const unknownOpenAi = await post(sut, '/v1/embeddings', { model: 'nomic-embed', input: 'x' });
      expect(unknownOpenAi).toEqual({
        status: 404,
        body: { error: expect.objectContaining({ code: 'model_not_found' }) },
      });
      const absentOllama = await post(sut, '/api/embed', { input: 'x' });
      expect(absentOllama).toEqual({ status: 404, body: { error: expect.stringContaining('not found') } });
      for (const input of [[], '', [1, 2], ['ok', ''], undefined]) {
        const bad = await post(sut, '/v1/embeddings', { model: 'fake-embed', input });
        expect(bad.status).toBe(400);
        expect(bad.body.error.message).toContain("'input'");
      }
      const badFormat = await post(sut, '/v1/embeddings', {
        model: 'fake-embed',
        input: 'x',
        encoding_format: 'int8',
      });
      expect(badFormat.status).toBe(400);
      const notAnObject = await post(sut, '/api/embed', ['fake-embed']);
      expect(notAnObject).toEqual({ status: 400, body: { error: 'invalid JSON body' } });
      await post(sut, '/v1/embeddings', { model: 'fake-embed', input: ['a', 'b', 'c'] });
      const stats = sut.stats;
      expect(stats.embeddingRequests).toBe(10);
      expect(stats.embeddedInputs).toBe(3);
      expect(stats.embeddingRequestBodies.at(-1)).toEqual({
        path: '/v1/embeddings',
        body: { model: 'fake-embed', input: ['a', 'b', 'c'] },
      });
      expect(stats.completions).toBe(0);
    });

    it('fails the next embedding requests as set, then answers again', async () => {
      sut.set({ embeddingFailure: { mode: 'status', status: 503, message: 'overloaded', times: 1 } });
      try {
        const failed = await post(sut, '/v1/embeddings', { model: 'fake-embed', input: 'x' });
        expect(failed).toEqual({
          status: 503,
          body: { error: expect.objectContaining({ message: 'overloaded' }) },
        });
        expect((await post(sut, '/v1/embeddings', { model: 'fake-embed', input: 'x' })).status).toBe(200);
      } finally {
        sut.set({ embeddingFailure: undefined });
      }
    });
  });

  describe('external reranker', () => {
    it('scores documents by the share of the query words they hold, best first, with top_n and its own key', async () => {
      const sut = await startFakeLlm({ apiKey: 'llm-key', rerankerApiKey: 'rerank-key' });
      try {
        const request = {
          model: 'fake-rerank',
          query: 'refund policy for returns',
          documents: [
            'Shipping takes five days.',
            'Returns are accepted; see the refund policy.',
            'The refund arrives in a week.',
          ],
        };
        expect((await post(sut, '/v1/rerank', request)).status).toBe(401);
        expect((await post(sut, '/v1/rerank', request, { authorization: 'Bearer llm-key' })).status).toBe(
          401,
        );
        const auth = { authorization: 'Bearer rerank-key' };
        const all = await post(sut, '/v1/rerank', request, auth);
        expect(all.status).toBe(200);
        expect(all.body.results).toEqual([
          { index: 1, relevance_score: 1 },
          { index: 2, relevance_score: 1 / 3 },
          { index: 0, relevance_score: 0 },
        ]);
        const top = await post(sut, '/v1/rerank', { ...request, top_n: 1 }, auth);
        expect(top.body.results).toEqual([{ index: 1, relevance_score: 1 }]);
        const bad = await post(sut, '/v1/rerank', { ...request, documents: 'one' }, auth);
        expect(bad.status).toBe(400);
        expect(bad.body.error.message).toContain("'documents'");
        // refused for the key before it counts, as completions are
        expect(sut.stats.rerankRequests).toBe(3);
        expect(sut.stats.rerankRequestBodies.at(-2)).toEqual({ ...request, top_n: 1 });
      } finally {
        await sut.close();
      }
    });
  });
});
