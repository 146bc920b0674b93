import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { eventually, FakeLlm, Stack, startFakeLlm, startStack } from '@parley/testing';
import { apiKeyOf, request, SignedUp, signUpsFrom, untilStatus } from './support/http';

const signUpAs = signUpsFrom('2001:db8:5:2::');

const client = (gateway: string, key: string) =>
  new OpenAI({ baseURL: `${gateway}/api`, apiKey: key, maxRetries: 0, timeout: 20_000 });

interface UsagePage {
  items: Array<Record<string, unknown>>;
  total: number;
  page: number;
  limit: number;
  totals: Record<string, number>;
}

const today = () => new Date().toISOString().slice(0, 10);

/**
 * A user's usage rows once they show `requests` completions: each model-gateway copy writes what it
 * summed every USAGE_FLUSH_INTERVAL_MS (docs/performance.md), so the rows catch up a moment later.
 */
const usageOnceCounted = (gateway: string, admin: SignedUp, userId: string, requests: number, query = '') =>
  eventually(`${requests} requests in the usage of ${userId}`, async () => {
    const page = await request<UsagePage>(gateway, 'GET', `/api/v1/usage?user_id=${userId}${query}`, {
      token: admin.token,
    });
    return page.body.totals?.requests === requests ? page : undefined;
  });

/**
 * Token usage and quotas through two copies of gateway and model-gateway, with the official `openai`
 * client and API keys: usage rows after streamed and non-streamed completions (with and without the
 * upstream's usage), and limits enforced across copies through Redis with 429 and Retry-After.
 */
describe('usage accounting and quotas through two copies', () => {
  let stack: Stack;
  let upstream: FakeLlm;
  let gatewayA: string;
  let gatewayB: string;
  let admin: SignedUp;

  beforeAll(async () => {
    upstream = await startFakeLlm({ models: ['gpt-fake'] });
    stack = await startStack({
      copies: { auth: 1, 'model-gateway': 2, gateway: 2 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        OPENAI_API_BASE_URLS: upstream.openaiBaseUrl,
        ENABLE_OLLAMA_API: 'false',
        MODELS_CACHE_TTL: '1',
        USAGE_DEFAULT_TOKENS_PER_DAY: '1000000',
      },
    });
    [gatewayA, gatewayB] = stack.gatewayUrls as [string, string];
    admin = await signUpAs(gatewayA, 'Admin');
  });

  afterAll(async () => {
    await stack?.stop();
    await upstream?.close();
  });

  afterEach(() => upstream.set({ reportUsage: true }));

  it('counts tokens per user, model and day: reported by the upstream or estimated, streamed or not', async () => {
    const user = await signUpAs(gatewayA, 'Counted');
    const key = await apiKeyOf(gatewayA, user);
    const messages = [{ role: 'user' as const, content: 'Say hello please' }]; // 16 characters, 3 words
    // 1: non-streamed, the upstream reports usage (prompt 3, completion 4).
    await client(gatewayA, key).chat.completions.create({ model: 'gpt-fake', messages });
    // 2: streamed, the usage chunk asked for (prompt 3, completion 4).
    const withUsage = await client(gatewayB, key).chat.completions.create({
      model: 'gpt-fake',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of withUsage) void chunk;
    // 3 and 4: no usage from the upstream: estimated at 4 characters a token (16 -> 4, 13 -> 4).
    upstream.set({ reportUsage: false });
    await client(gatewayB, key).chat.completions.create({ model: 'gpt-fake', messages });
    const estimated = await client(gatewayA, key).chat.completions.create({
      model: 'gpt-fake',
      messages,
      stream: true,
    });
    let text = '';
    for await (const chunk of estimated) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello, world!');

    const usage = await usageOnceCounted(gatewayB, admin, user.id, 4, '&model=gpt-fake');
    expect(usage.status).toBe(200);
    expect(usage.body.items).toEqual([
      {
        user_id: user.id,
        model: 'gpt-fake',
        date: today(),
        prompt_tokens: 3 + 3 + 4 + 4,
        completion_tokens: 4 + 4 + 4 + 4,
        total_tokens: 30,
        requests: 4,
        estimated_requests: 2,
      },
    ]);
    expect(usage.body).toMatchObject({
      total: 1,
      page: 1,
      limit: 50,
      totals: { total_tokens: 30, requests: 4 },
    });

    const past = await request<UsagePage>(
      gatewayA,
      'GET',
      `/api/v1/usage?user_id=${user.id}&from=2020-01-01&to=2020-12-31`,
      {
        token: admin.token,
      },
    );
    expect(past.body).toMatchObject({ items: [], total: 0 });
    const page = await request<UsagePage>(gatewayA, 'GET', '/api/v1/usage?limit=1&page=1', {
      token: admin.token,
    });
    expect(page.body.items).toHaveLength(1);
    expect(page.body.total).toBeGreaterThanOrEqual(1);
  });

  it('counts completions through the /openai pass-through too, streamed and not', async () => {
    const user = await signUpAs(gatewayB, 'Proxied');
    const key = await apiKeyOf(gatewayB, user);
    const messages = [{ role: 'user' as const, content: 'Say hello please' }];
    const proxied = new OpenAI({
      baseURL: `${gatewayA}/openai`,
      apiKey: key,
      maxRetries: 0,
      timeout: 20_000,
    });
    await proxied.chat.completions.create({ model: 'gpt-fake', messages });
    const stream = await proxied.chat.completions.create({
      model: 'gpt-fake',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) void chunk;
    const usage = (await usageOnceCounted(gatewayB, admin, user.id, 2)).body.items;
    expect(usage).toEqual([
      expect.objectContaining({
        model: 'gpt-fake',
        prompt_tokens: 3 + 3,
        completion_tokens: 4 + 4,
        requests: 2,
        estimated_requests: 0,
      }),
    ]);
  });

  it('keeps usage to admins and answers bad filters with 400', async () => {
    const user = await signUpAs(gatewayB, 'Curious');
    const denied = await request(gatewayB, 'GET', '/api/v1/usage', { token: user.token });
    expect(denied).toMatchObject({ status: 403, body: { detail: 'This action needs an administrator.' } });
    for (const [query, detail] of [
      ['from=yesterday', 'from must be a date as YYYY-MM-DD.'],
      ['from=2026-02-02&to=2026-01-01', 'from must not be after to.'],
      ['page=0', 'page must be a whole number of at least 1.'],
      ['limit=1000', 'page must be at least 1 and page size between 1 and 500.'],
    ] as const) {
      const res = await request(gatewayA, 'GET', `/api/v1/usage?${query}`, { token: admin.token });
      expect(res).toMatchObject({ status: 400, body: { detail } });
    }
  });

  it('refuses on copy B once requests on copy A used up the per-minute limit: 429, Retry-After, which limit', async () => {
    const user = await signUpAs(gatewayA, 'Hasty');
    const key = await apiKeyOf(gatewayA, user);
    const set = await request(gatewayA, 'POST', `/api/v1/usage/limits/users/${user.id}`, {
      token: admin.token,
      body: { requests_per_minute: 2 },
    });
    expect(set).toMatchObject({
      status: 200,
      body: { subject: 'user', id: user.id, requests_per_minute: 2, tokens_per_day: null },
    });
    const messages = [{ role: 'user' as const, content: 'hi' }];
    await client(gatewayA, key).chat.completions.create({ model: 'gpt-fake', messages });
    await client(gatewayA, key).chat.completions.create({ model: 'gpt-fake', messages });
    const before = upstream.stats.completions;

    const refused = await request<{ detail: string }>(gatewayB, 'POST', '/api/chat/completions', {
      token: key,
      body: { model: 'gpt-fake', messages },
    });
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toMatch(
      /^Request limit reached: at most 2 requests per minute \(your own limit\); try again in \d+ seconds\.$/,
    );
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    const streamed = await request<{ detail: string }>(gatewayB, 'POST', '/api/chat/completions', {
      token: key,
      body: { model: 'gpt-fake', messages, stream: true },
    });
    expect(streamed.status).toBe(429);
    expect(streamed.headers.get('retry-after')).toMatch(/^\d+$/);
    await expect(
      client(gatewayB, key).chat.completions.create({ model: 'gpt-fake', messages }),
    ).rejects.toMatchObject({ status: 429 });
    // The /openai pass-through is admitted the same way.
    const proxied = await request(gatewayA, 'POST', '/openai/chat/completions', {
      token: key,
      body: { model: 'gpt-fake', messages },
    });
    expect(proxied.status).toBe(429);
    expect(proxied.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(upstream.stats.completions).toBe(before);
  });

  it('applies a group token limit per day to each member, and lets admins set and remove limits', async () => {
    const user = await signUpAs(gatewayB, 'Thrifty');
    const key = await apiKeyOf(gatewayB, user);
    const group = await request<{ id: string }>(gatewayA, 'POST', '/api/v1/groups/create', {
      token: admin.token,
      body: { name: `thrifty-${randomUUID()}`, user_ids: [user.id] },
    });
    const set = await request(gatewayB, 'POST', `/api/v1/usage/limits/groups/${group.body.id}`, {
      token: admin.token,
      body: { tokens_per_day: 5 },
    });
    expect(set).toMatchObject({
      status: 200,
      body: { subject: 'group', id: group.body.id, tokens_per_day: 5 },
    });
    const limits = await request<{ defaults: unknown; groups: unknown[] }>(
      gatewayA,
      'GET',
      '/api/v1/usage/limits',
      {
        token: admin.token,
      },
    );
    expect(limits.body.defaults).toEqual({ requests_per_minute: null, tokens_per_day: 1_000_000 });
    expect(limits.body.groups).toContainEqual(
      expect.objectContaining({ id: group.body.id, tokens_per_day: 5 }),
    );

    const messages = [{ role: 'user' as const, content: 'hi' }];
    await client(gatewayA, key).chat.completions.create({ model: 'gpt-fake', messages }); // 1 + 4 tokens
    // The copy that served it counts it at once; the other copy once it is written (one flush later).
    await usageOnceCounted(gatewayA, admin, user.id, 1);
    const refused = await request<{ detail: string }>(gatewayB, 'POST', '/api/chat/completions', {
      token: key,
      body: { model: 'gpt-fake', messages, stream: true },
    });
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toContain(
      `Token limit reached: you have used 5 of 5 tokens per day (the limit of your group ${group.body.id})`,
    );
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    // The user's own limit wins over the group's. Set through copy A, it reaches copy B's limit cache
    // by an event a moment later (eventually consistent by design): B answers once it has it.
    await request(gatewayA, 'POST', `/api/v1/usage/limits/users/${user.id}`, {
      token: admin.token,
      body: { tokens_per_day: 100 },
    });
    const allowed = await untilStatus<{ choices: Array<{ message: { content: string } }> }>(200, () =>
      request(gatewayB, 'POST', '/api/chat/completions', {
        token: key,
        body: { model: 'gpt-fake', messages },
      }),
    );
    expect(allowed.status).toBe(200);
    expect(allowed.body.choices[0]!.message.content).toBe('Hello, world!');
    const removed = await request(gatewayB, 'DELETE', `/api/v1/usage/limits/users/${user.id}`, {
      token: admin.token,
    });
    expect(removed).toMatchObject({ status: 200, body: true });
    const again = await untilStatus(429, () =>
      request(gatewayA, 'POST', '/api/chat/completions', {
        token: key,
        body: { model: 'gpt-fake', messages },
      }),
    );
    expect(again.status).toBe(429);
  });

  it('answers bad limit input with 4xx and a clear message', async () => {
    for (const [path, body, status, detail] of [
      [
        '/api/v1/usage/limits/users/u1',
        { requests_per_minute: -1 },
        400,
        'requests_per_minute must be 0 or more',
      ],
      [
        '/api/v1/usage/limits/users/u1',
        { tokens_per_day: 'lots' },
        400,
        'tokens_per_day must be a whole number or null',
      ],
      [
        '/api/v1/usage/limits/users/u1',
        { per_hour: 3 },
        400,
        'body may only have requests_per_minute and tokens_per_day',
      ],
      [
        '/api/v1/usage/limits/teams/t1',
        { requests_per_minute: 1 },
        404,
        'Limits are set on /usage/limits/users/{id} or /usage/limits/groups/{id}.',
      ],
    ] as const) {
      const res = await request<{ detail: string }>(gatewayA, 'POST', path, { token: admin.token, body });
      expect(res.status).toBe(status);
      expect(res.body.detail).toContain(detail);
    }
    const user = await signUpAs(gatewayA, 'Sneaky');
    const denied = await request(gatewayA, 'POST', `/api/v1/usage/limits/users/${user.id}`, {
      token: user.token,
      body: { requests_per_minute: 1000 },
    });
    expect(denied.status).toBe(403);
  });
});
