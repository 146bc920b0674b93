import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:net';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { Client } from 'pg';
import { FakeLlm, Stack, startFakeLlm, startStack } from '@parley/testing';
import { request, signUp, SignedUp } from './support/http';

/**
 * The model gateway through two copies of gateway and model-gateway, with the official `openai` and
 * `ollama` clients pointed at the gateway: one OpenAI-style upstream (with a key) and two Ollama-style
 * upstreams serving the same model. Gateway copy i talks to model-gateway copy i.
 */
describe('models and completions through two copies of gateway and model-gateway', () => {
  const UPSTREAM_KEY = `sk-upstream-${randomUUID()}`;
  let stack: Stack;
  let openaiUpstream: FakeLlm;
  let ollamaA: FakeLlm;
  let ollamaB: FakeLlm;
  let gatewayA: string;
  let gatewayB: string;
  let admin: SignedUp;
  let user: SignedUp;
  const clientFor = (gateway: string, who: SignedUp, path = '/api') =>
    new OpenAI({ baseURL: `${gateway}${path}`, apiKey: who.token, maxRetries: 0, timeout: 20_000 });

  beforeAll(async () => {
    openaiUpstream = await startFakeLlm({ models: ['gpt-fake'], apiKey: UPSTREAM_KEY });
    ollamaA = await startFakeLlm({ models: ['llama-fake:latest'], tokens: ['Ol', 'la', 'ma'] });
    ollamaB = await startFakeLlm({ models: ['llama-fake:latest'], tokens: ['Ol', 'la', 'ma'] });
    stack = await startStack({
      copies: { auth: 1, 'model-gateway': 2, gateway: 2 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        OPENAI_API_BASE_URLS: openaiUpstream.openaiBaseUrl,
        OPENAI_API_KEYS: UPSTREAM_KEY,
        OLLAMA_BASE_URLS: `${ollamaA.url};${ollamaB.url}`,
        MODELS_CACHE_TTL: '1',
        AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST: '1',
        UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '1500',
        UPSTREAM_FAILURE_THRESHOLD: '2',
        UPSTREAM_COOLDOWN_MS: '60000',
      },
    });
    [gatewayA, gatewayB] = stack.gatewayUrls as [string, string];
    admin = await signUp(gatewayA, 'Ada', `ada-${randomUUID()}@example.com`);
    user = await signUp(gatewayB, 'Bob', `bob-${randomUUID()}@example.com`);
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all([openaiUpstream?.close(), ollamaA?.close(), ollamaB?.close()]);
  });

  afterEach(() => {
    for (const fake of [openaiUpstream, ollamaA, ollamaB])
      fake?.set({ failure: undefined, tokenDelayMs: 0, tokens: fake.settings.tokens });
    openaiUpstream?.set({ tokens: ['Hello', ',', ' world', '!'] });
  });

  it('lists the models of every upstream with the openai client, on both gateway copies', async () => {
    for (const [gateway, who] of [
      [gatewayA, user],
      [gatewayB, admin],
    ] as const) {
      const ids: string[] = [];
      for await (const model of clientFor(gateway, who).models.list()) ids.push(model.id);
      expect(ids.sort()).toEqual(['gpt-fake', 'llama-fake:latest']);
    }
    const raw = await request<{ data: Array<Record<string, unknown>> }>(gatewayA, 'GET', '/api/v1/models', {
      token: user.token,
    });
    expect(raw.body.data.find((m) => m.id === 'llama-fake:latest')).toMatchObject({
      owned_by: 'ollama',
      urls: [0, 1],
    });
    expect(raw.body.data.find((m) => m.id === 'gpt-fake')).toMatchObject({ owned_by: 'openai', urlIdx: 0 });
    expect((await request(gatewayA, 'GET', '/api/models')).status).toBe(401);
  });

  it('answers a non-streamed completion from the OpenAI upstream, adding the upstream key', async () => {
    const completion = await clientFor(gatewayA, user).chat.completions.create({
      model: 'gpt-fake',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    expect(completion.choices[0]!.message.content).toBe('Hello, world!');
    expect(completion.usage).toMatchObject({ completion_tokens: 4 });
    expect(openaiUpstream.stats.lastRequest?.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(openaiUpstream.stats.lastRequest?.body).toMatchObject({ model: 'gpt-fake', stream: false });
  });

  it('streams a completion from the OpenAI upstream as SSE chunks the openai client reads', async () => {
    const stream = await clientFor(gatewayB, user).chat.completions.create({
      model: 'gpt-fake',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
    });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('Hello, world!');
    expect(finish).toBe('stop');
  });

  it('translates an Ollama upstream to OpenAI format, streamed and not', async () => {
    const client = clientFor(gatewayA, user);
    const completion = await client.chat.completions.create({
      model: 'llama-fake:latest',
      messages: [{ role: 'user', content: 'hi there' }],
      max_tokens: 5,
    });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'llama-fake:latest',
      choices: [{ message: { role: 'assistant', content: 'Ollama' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
    });
    const last = ollamaA.stats.lastRequest ?? ollamaB.stats.lastRequest;
    expect(last?.body).toMatchObject({ model: 'llama-fake:latest', options: { num_predict: 5 } });

    const stream = await client.chat.completions.create({
      model: 'llama-fake:latest',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const deltas: string[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) deltas.push(chunk.choices[0].delta.content);
      usage = chunk.usage ?? usage;
    }
    expect(deltas).toEqual(['Ol', 'la', 'ma']);
    expect(usage).toMatchObject({ completion_tokens: 3 });
  });

  it('shares the load between two upstreams serving the same model', async () => {
    const before = [ollamaA.stats.completions, ollamaB.stats.completions];
    const client = clientFor(gatewayA, user);
    // Concurrent, so "fewest in flight" spreads them; ties are broken at random.
    await Promise.all(
      Array.from({ length: 8 }, () =>
        client.chat.completions.create({
          model: 'llama-fake:latest',
          messages: [{ role: 'user', content: 'x' }],
        }),
      ),
    );
    const served = [ollamaA.stats.completions - before[0]!, ollamaB.stats.completions - before[1]!];
    expect(served[0]! + served[1]!).toBe(8);
    expect(Math.min(...served)).toBeGreaterThanOrEqual(1);
  });

  it('closes the upstream connection at once when the client goes away mid-stream', async () => {
    openaiUpstream.set({ tokens: Array.from({ length: 200 }, (_, i) => ` t${i}`), tokenDelayMs: 20 });
    await openaiUpstream.waitFor((s) => s.activeStreams === 0);
    const { abortedStreams: abortedBefore, completedStreams: completedBefore } = openaiUpstream.stats;
    const controller = new AbortController();
    const stream = await clientFor(gatewayB, user).chat.completions.create(
      { model: 'gpt-fake', messages: [{ role: 'user', content: 'go on' }], stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) received++;
        if (received === 3) controller.abort();
      }
    } catch {
      // the client reports its own abort
    }
    expect(received).toBe(3);
    expect(openaiUpstream.stats.activeStreams).toBe(1);
    // Closed at once: a few more tokens (one every 20 ms) at most, not the 197 left of the answer.
    const tokensAtAbort = openaiUpstream.stats.tokensWritten;
    await openaiUpstream.waitFor(
      (s) => s.activeStreams === 0 && s.abortedStreams === abortedBefore + 1,
      10_000,
    );
    expect(openaiUpstream.stats.tokensWritten - tokensAtAbort).toBeLessThanOrEqual(10);
    expect(openaiUpstream.stats.completedStreams).toBe(completedBefore); // nobody read it to the end
  });

  it('passes an upstream 4xx message through, and turns 5xx, timeouts and unknown models into clear errors', async () => {
    // 5xx and timeouts count against the upstream on the model-gateway copy that saw them; spread them
    // over both copies so neither opens its breaker (threshold 2) for the tests that follow.
    const ask = (model = 'gpt-fake', stream = false, gateway = gatewayA) =>
      clientFor(gateway, user).chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'x' }],
        stream,
      } as never);

    openaiUpstream.set({
      failure: { mode: 'status', status: 400, message: 'context length exceeded', times: 1 },
    });
    await expect(ask()).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('context length exceeded'),
    });
    // Raw, the same refusal carries the stable code next to OpenAI's error object.
    openaiUpstream.set({
      failure: { mode: 'status', status: 400, message: 'context length exceeded', times: 1 },
    });
    const rejected = await request<{ detail: string; code: string; error: { message: string } }>(
      gatewayA,
      'POST',
      '/api/chat/completions',
      { token: user.token, body: { model: 'gpt-fake', messages: [{ role: 'user', content: 'x' }] } },
    );
    expect(rejected.status).toBe(400);
    expect(rejected.body.code).toBe('UPSTREAM_REJECTED');
    expect(rejected.body.error.message).toContain('context length exceeded');

    openaiUpstream.set({ failure: { mode: 'status', status: 500, message: 'overloaded', times: 1 } });
    await expect(ask('gpt-fake', true)).rejects.toMatchObject({
      status: 502,
      message: expect.stringContaining('overloaded'),
    });

    openaiUpstream.set({ failure: { mode: 'hang', times: 1 } });
    await expect(ask('gpt-fake', false, gatewayB)).rejects.toMatchObject({
      status: 504,
      message: expect.stringContaining('in time'),
    });

    await expect(ask('no-such-model')).rejects.toMatchObject({ status: 404 });
    const bad = await request(gatewayA, 'POST', '/api/chat/completions', {
      token: user.token,
      body: { model: 'gpt-fake' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ detail: expect.stringContaining('messages'), code: expect.any(String) });
    const raw = await request(gatewayB, 'POST', '/api/chat/completions', {
      token: user.token,
      body: { model: 'no-such-model', messages: [{ role: 'user', content: 'x' }], stream: true },
    });
    expect(raw.status).toBe(404);
    expect(raw.body).toMatchObject({ detail: 'Model not found: no-such-model', code: 'MODEL_NOT_FOUND' });
    const notJson = await request(gatewayA, 'POST', '/api/chat/completions', {
      token: user.token,
      rawBody: '{"model":',
    });
    expect(notJson.status).toBe(400);
  });

  it('ends a stream that breaks mid-way with an error event after the tokens already sent', async () => {
    openaiUpstream.set({ failure: { mode: 'break', afterTokens: 2, times: 1 }, tokenDelayMs: 20 });
    const stream = await clientFor(gatewayB, user).chat.completions.create({
      model: 'gpt-fake',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toThrow(/ended the stream before it was complete/);
    expect(text).toBe('Hello,');
  });

  it('retries on another upstream before the first token, and skips a failing upstream for a while', async () => {
    // Gateway A → model-gateway A: its breakers see every request below.
    ollamaA.set({ failure: { mode: 'status', status: 503, message: 'busy' } });
    const before = ollamaA.stats.completions;
    const client = clientFor(gatewayA, user);
    for (let i = 0; i < 8; i++) {
      const completion = await client.chat.completions.create({
        model: 'llama-fake:latest',
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(completion.choices[0]!.message.content).toBe('Ollama');
    }
    // The breaker opened after UPSTREAM_FAILURE_THRESHOLD (2) failures; later requests went to B only.
    expect(ollamaA.stats.completions - before).toBeLessThanOrEqual(2);
  });

  it('serves the official ollama client at /ollama: tags, streamed and non-streamed chat', async () => {
    const ollama = new Ollama({
      host: `${gatewayB}/ollama`,
      headers: { Authorization: `Bearer ${user.token}` },
    });
    const tags = await ollama.list();
    expect(tags.models.map((m) => m.model)).toEqual(['llama-fake:latest']);
    const reply = await ollama.chat({
      model: 'llama-fake:latest',
      messages: [{ role: 'user', content: 'hi' }],
      stream: false,
    });
    expect(reply.message.content).toBe('Ollama');
    let text = '';
    for await (const part of await ollama.chat({
      model: 'llama-fake:latest',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    })) {
      text += part.message.content;
    }
    expect(text).toBe('Ollama');
    expect((await ollama.version()).version).toBe('0.6.4');
    // Pulling a model is for admins, as in Open WebUI.
    const pull = await request(gatewayB, 'POST', '/ollama/api/pull', {
      token: user.token,
      body: { model: 'x' },
    });
    expect(pull.status).toBe(403);
  });

  it('passes /openai/chat/completions through with the upstream key, streamed', async () => {
    const stream = await clientFor(gatewayA, user, '/openai').chat.completions.create({
      model: 'gpt-fake',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello, world!');
    expect(openaiUpstream.stats.lastRequest).toMatchObject({
      path: '/v1/chat/completions',
      authorization: `Bearer ${UPSTREAM_KEY}`,
    });
  });

  it('lets an admin edit connections at run time; keys are encrypted at rest and never returned in full', async () => {
    expect((await request(gatewayB, 'GET', '/openai/config', { token: user.token })).status).toBe(403);
    const config = await request<{ OPENAI_API_KEYS: string[]; OPENAI_API_BASE_URLS: string[] }>(
      gatewayA,
      'GET',
      '/openai/config',
      {
        token: admin.token,
      },
    );
    expect(config.status).toBe(200);
    expect(config.body.OPENAI_API_BASE_URLS).toEqual([openaiUpstream.openaiBaseUrl]);
    expect(config.body.OPENAI_API_KEYS[0]).not.toContain(UPSTREAM_KEY.slice(4, -4));
    expect(JSON.stringify(config.body)).not.toContain(UPSTREAM_KEY);

    const db = new Client({ connectionString: stack.database.url });
    await db.connect();
    const rows = await db.query<{ api_key_encrypted: string }>(
      `SELECT api_key_encrypted FROM model_gateway.connections WHERE kind = 'openai'`,
    );
    await db.end();
    expect(rows.rows[0]!.api_key_encrypted).toMatch(/^v1\./);
    expect(rows.rows[0]!.api_key_encrypted).not.toContain(UPSTREAM_KEY);

    // The masked key sent back keeps the stored one; a prefix renames the models on every copy.
    const updated = await request(gatewayA, 'POST', '/openai/config/update', {
      token: admin.token,
      body: {
        ...config.body,
        OPENAI_API_CONFIGS: {
          '0': {
            enable: true,
            prefix_id: 'ext',
            model_ids: [],
            tags: [{ name: 'vendor' }, { name: 'eu' }],
            connection_type: 'local',
          },
        },
      },
    });
    expect(updated.status).toBe(200);
    // Open WebUI's per-connection tags and connection type: kept, and carried by every model of it.
    expect(
      (
        await request<{ OPENAI_API_CONFIGS: Record<string, unknown> }>(gatewayB, 'GET', '/openai/config', {
          token: admin.token,
        })
      ).body.OPENAI_API_CONFIGS['0'],
    ).toMatchObject({ tags: [{ name: 'vendor' }, { name: 'eu' }], connection_type: 'local' });
    const tagged = await request<{ data: Array<{ id: string; tags?: unknown; connection_type: string }> }>(
      gatewayB,
      'GET',
      '/api/models',
      { token: user.token },
    );
    expect(tagged.body.data.find((m) => m.id === 'ext.gpt-fake')).toMatchObject({
      tags: [{ name: 'vendor' }, { name: 'eu' }],
      connection_type: 'local',
    });
    const ollamaModel = tagged.body.data.find((m) => m.id === 'llama-fake:latest');
    expect(ollamaModel).toMatchObject({ connection_type: 'local' });
    expect(ollamaModel?.tags).toBeUndefined();
    const completion = await clientFor(gatewayB, user).chat.completions.create({
      model: 'ext.gpt-fake',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(completion.choices[0]!.message.content).toBe('Hello, world!');
    expect(openaiUpstream.stats.lastRequest?.body.model).toBe('gpt-fake');
    expect(openaiUpstream.stats.lastRequest?.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);

    const badUrl = await request(gatewayA, 'POST', '/openai/config/update', {
      token: admin.token,
      body: { OPENAI_API_BASE_URLS: ['not a url'], OPENAI_API_KEYS: [''], OPENAI_API_CONFIGS: {} },
    });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body).toEqual({ detail: expect.stringContaining('not a URL'), code: expect.any(String) });

    const verified = await request<{ data: unknown[] }>(gatewayA, 'POST', '/openai/verify', {
      token: admin.token,
      body: { url: openaiUpstream.openaiBaseUrl, key: 'wrong' },
    });
    expect(verified.status).toBe(401);
    // The admin screen has only the masked key of a saved connection: the stored key is used.
    const masked = (
      await request<{ OPENAI_API_KEYS: string[] }>(gatewayB, 'GET', '/openai/config', { token: admin.token })
    ).body.OPENAI_API_KEYS[0]!;
    const withMasked = await request<{ data: unknown[] }>(gatewayB, 'POST', '/openai/verify', {
      token: admin.token,
      body: { url: openaiUpstream.openaiBaseUrl, key: masked },
    });
    expect(withMasked.status).toBe(200);
    expect(withMasked.body.data.length).toBeGreaterThan(0);
  });

  it('never lets a dead upstream block the model list', async () => {
    const blackHole: Server = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const port = (blackHole.address() as { port: number }).port;
    try {
      const current = await request<Record<string, unknown>>(gatewayA, 'GET', '/ollama/config', {
        token: admin.token,
      });
      const update = await request(gatewayA, 'POST', '/ollama/config/update', {
        token: admin.token,
        body: {
          ...current.body,
          OLLAMA_BASE_URLS: [ollamaA.url, ollamaB.url, `http://127.0.0.1:${port}`],
          OLLAMA_API_CONFIGS: {},
        },
      });
      expect(update.status).toBe(200);
      ollamaA.set({ failure: undefined });
      // Answered (not the gateway's deadline error): the dead upstream was given up after its
      // per-connection timeout while the live ones answered.
      const list = await request<{ data: Array<{ id: string }> }>(gatewayB, 'GET', '/api/models', {
        token: user.token,
      });
      expect(list.status).toBe(200);
      expect(list.body.data.map((m) => m.id)).toContain('llama-fake:latest');
    } finally {
      blackHole.close();
    }
  });
});
