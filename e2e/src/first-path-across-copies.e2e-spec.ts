import { randomUUID } from 'node:crypto';
import { startStack, Stack } from '@parley/testing';
import { forgedToken } from './support/forged-token';
import { request, signUp, SignedUp } from './support/http';
import { connectSocket, RecordingSocket, socketRefusal, waitFor } from './support/sockets';

/**
 * The first path through the system over the real transports, with two copies each of gateway, chat
 * and realtime: sign-up (gateway → auth over gRPC), a chat created (gateway → chat over gRPC), the
 * chat.created event (chat → NATS → realtime → Redis adapter → Socket.IO through the gateway).
 */
describe('first path across two copies of gateway, chat and realtime', () => {
  let stack: Stack;
  let gatewayA: string;
  let gatewayB: string;
  let admin: SignedUp;
  let other: SignedUp;
  const sockets: RecordingSocket[] = [];

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 2, realtime: 2, gateway: 2 },
      env: { DEFAULT_USER_ROLE: 'user', LOG_LEVEL: 'debug' },
    });
    [gatewayA, gatewayB] = stack.gatewayUrls as [string, string];
    admin = await signUp(gatewayA, 'Ada', `ada-${randomUUID()}@example.com`);
    other = await signUp(gatewayB, 'Bob', `bob-${randomUUID()}@example.com`);
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await stack?.stop();
  });

  it('makes the first account an admin and later ones the default role, each with a token', () => {
    expect(admin.role).toBe('admin');
    expect(other.role).toBe('user');
    expect(admin.token.split('.')).toHaveLength(3);
  });

  it('delivers chat.created from gateway A to the owner on realtime B, and to no one else', async () => {
    // Ada listens through gateway B (→ realtime B) and directly on realtime A; Bob through gateway A.
    const adaViaB = await connectSocket(gatewayB, admin.token);
    const adaOnRealtimeA = await connectSocket(stack.realtimeUrls[0]!, admin.token);
    const bobViaA = await connectSocket(gatewayA, other.token);
    sockets.push(adaViaB, adaOnRealtimeA, bobViaA);

    const created = await request<{ id: string; title: string; user_id: string }>(
      gatewayA,
      'POST',
      '/api/v1/chats/new',
      {
        token: admin.token,
        body: { chat: { title: 'Across copies', models: ['test-model'] } },
      },
    );
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ title: 'Across copies', user_id: admin.id });

    const isThisChat = (e: { name: string; payload: unknown }) =>
      e.name === 'chat:created' && (e.payload as { chat: { id: string } }).chat.id === created.body.id;
    await waitFor(() => adaViaB.events.some(isThisChat), 5_000, 'the event on realtime B');
    await waitFor(() => adaOnRealtimeA.events.some(isThisChat), 5_000, 'the event on realtime A');
    // Give a stray delivery time to arrive before asserting there was none.
    await new Promise((resolve) => setTimeout(resolve, 750));
    expect(bobViaA.events).toEqual([]);
    // Exactly once per socket, although two realtime copies listen on NATS.
    expect(adaViaB.events.filter(isThisChat)).toHaveLength(1);
    expect(adaOnRealtimeA.events.filter(isThisChat)).toHaveLength(1);
    expect(adaViaB.events.find(isThisChat)!.payload).toMatchObject({
      v: 1,
      chat: { id: created.body.id, user_id: admin.id, title: 'Across copies' },
    });
  });

  it('lists and opens a chat on either gateway copy, and hides it from another user with a 404', async () => {
    const created = await request<{ id: string }>(gatewayB, 'POST', '/api/v1/chats/new', {
      token: admin.token,
      body: { chat: { title: 'Mine' } },
    });
    const listed = await request<Array<{ id: string }>>(gatewayA, 'GET', '/api/v1/chats/?page=1', {
      token: admin.token,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.map((c) => c.id)).toContain(created.body.id);
    const opened = await request(gatewayA, 'GET', `/api/v1/chats/${created.body.id}`, { token: admin.token });
    expect(opened.status).toBe(200);
    const stolen = await request(gatewayA, 'GET', `/api/v1/chats/${created.body.id}`, { token: other.token });
    expect(stolen.status).toBe(404);
    expect(stolen.body).toEqual({ detail: 'No such chat.', code: expect.any(String) });
  });

  it('answers 401 with a detail for a missing, forged or garbage token, on HTTP and on the socket', async () => {
    const missing = await request(gatewayA, 'GET', '/api/v1/chats/');
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      detail: expect.stringContaining('Not signed in'),
      code: expect.any(String),
    });

    const forged = await request(gatewayB, 'POST', '/api/v1/chats/new', {
      token: await forgedToken(admin.id),
      body: { chat: { title: 'forged' } },
    });
    expect(forged.status).toBe(401);
    expect(forged.body).toEqual({ detail: expect.any(String), code: expect.any(String) });

    const garbage = await request(gatewayA, 'GET', '/api/v1/chats/', { token: 'not-a-token' });
    expect(garbage.status).toBe(401);

    expect(await socketRefusal(gatewayA, await forgedToken(admin.id))).toMatch(/not valid/);
    expect(await socketRefusal(gatewayB, '')).toMatch(/Not signed in/);
  });

  it('carries the request id from the gateway across gRPC into the chat service and over NATS into realtime', async () => {
    const requestId = `e2e-${randomUUID()}`;
    const created = await request(gatewayA, 'POST', '/api/v1/chats/new', {
      token: admin.token,
      body: { chat: { title: 'Traced' } },
      headers: { 'x-request-id': requestId },
    });
    expect(created.headers.get('x-request-id')).toBe(requestId);
    const chatLogs = () => stack.services.chat!.map((p) => p.logs()).join('\n');
    const realtimeLogs = () => stack.services.realtime!.map((p) => p.logs()).join('\n');
    await waitFor(() => realtimeLogs().includes(requestId), 5_000, 'the request id in the realtime log');
    expect(chatLogs()).toContain(requestId);
  });

  it('gives bad input a 4xx with a detail, never a 500', async () => {
    const cases = [
      request(gatewayA, 'POST', '/api/v1/auths/signin', { rawBody: '{not json' }),
      request(gatewayA, 'POST', '/api/v1/auths/signup', { body: { email: 'x@example.com' } }),
      request(gatewayA, 'POST', '/api/v1/auths/signup', {
        body: { name: 'X', email: 'not-an-email', password: 'long enough pw' },
      }),
      request(gatewayA, 'POST', '/api/v1/auths/signup', { body: { name: 1, email: [], password: {} } }),
      request(gatewayA, 'POST', '/api/v1/auths/signup', {
        body: { name: 'X', email: `${'a'.repeat(300)}@x.io`, password: 'long enough pw' },
      }),
      request(gatewayA, 'POST', '/api/v1/chats/new', {
        token: admin.token,
        body: { chat: 'DROP TABLE chats;' },
      }),
      request(gatewayA, 'POST', '/api/v1/chats/new', {
        token: admin.token,
        rawBody: JSON.stringify({ chat: { title: 'x'.repeat(100_000) } }),
      }),
      request(gatewayA, 'GET', '/api/v1/chats/?page=-1', { token: admin.token }),
      request(gatewayA, 'GET', "/api/v1/chats/' OR 1=1 --", { token: admin.token }),
      request(gatewayA, 'POST', '/api/v1/auths/signin', {
        rawBody: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(10_000_000) }),
      }),
    ];
    const results = await Promise.all(cases);
    for (const result of results) {
      expect(result.status).toBeGreaterThanOrEqual(400);
      expect(result.status).toBeLessThan(500);
      expect(result.body).toEqual({ detail: expect.any(String), code: expect.any(String) });
    }
    expect(results[0]!.body).toEqual({
      detail: 'The request body is not valid JSON.',
      code: expect.any(String),
    });
    expect(results[9]!.status).toBe(413);
  });
});
