import { Client } from 'pg';
import { startStack, Stack } from '@parley/testing';
import { request, signUp, SignedUp } from './support/http';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM during a request: the process stops taking new work, lets the request finish, and exits 0.
 * The request is held in flight by the real world, not a test hook: the chat process is paused with
 * SIGSTOP, or the chat table is locked in PostgreSQL.
 */
describe('graceful drain on SIGTERM', () => {
  let stack: Stack;
  let user: SignedUp;

  beforeAll(async () => {
    stack = await startStack({ copies: { auth: 1, chat: 1, gateway: 2 } });
    user = await signUp(stack.gatewayUrls[0]!, 'Drain', `drain-${Date.now()}@example.com`);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('lets a gateway finish a request in flight after SIGTERM, refuses new ones, and exits 0', async () => {
    const gateway = stack.services.gateway![1]!;
    const chat = stack.services.chat![0]!;
    chat.child.kill('SIGSTOP');
    try {
      const inFlight = request(gateway.httpUrl, 'POST', '/api/v1/chats/new', {
        token: user.token,
        body: { chat: { title: 'in flight' } },
      });
      await sleep(300);
      gateway.child.kill('SIGTERM');
      await sleep(300);
      // Draining: the listening socket is closed, so a new request cannot get in.
      await expect(fetch(`${gateway.httpUrl}/health/live`)).rejects.toThrow();
      chat.child.kill('SIGCONT');
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ title: 'in flight' });
      expect(await gateway.exited).toBe(0);
      expect(gateway.logs()).toContain('"msg":"draining"');
    } finally {
      chat.child.kill('SIGCONT');
    }
  });

  /**
   * Holds a gRPC call of `service` in flight with an exclusive lock on `table`, SIGTERMs the service,
   * then lets the call go: it must answer 200 and the process exit 0.
   */
  async function drainWithCallHeldByLock(
    service: 'chat' | 'auth',
    table: string,
    call: () => Promise<{ status: number; body: unknown }>,
  ) {
    const proc = stack.services[service]![0]!;
    const db = new Client({ connectionString: stack.database.url });
    await db.connect();
    await db.query('BEGIN');
    await db.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    let settled = false;
    const inFlight = call().finally(() => (settled = true));
    await sleep(400);
    proc.child.kill('SIGTERM');
    await sleep(300);
    const readiness = await fetch(`${proc.httpUrl}/health/ready`).catch(() => undefined);
    // Either the HTTP listener is already closed or it reports that it is shutting down.
    if (readiness) expect(readiness.status).toBe(503);
    // Still held by the lock: the drain had a call in flight.
    expect(settled).toBe(false);
    await db.query('COMMIT');
    await db.end();
    const response = await inFlight;
    expect(await proc.exited).toBe(0);
    return response;
  }

  it('lets the chat service finish a gRPC call in flight after SIGTERM and exits 0', async () => {
    const response = await drainWithCallHeldByLock('chat', 'chat.chats', () =>
      request(stack.gatewayUrls[0]!, 'POST', '/api/v1/chats/new', {
        token: user.token,
        body: { chat: { title: 'held by a lock' } },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ title: 'held by a lock' });
  });

  it('answers 503 with a clear detail once the chat service is gone, instead of hanging or a 500', async () => {
    const response = await request(stack.gatewayUrls[0]!, 'POST', '/api/v1/chats/new', {
      token: user.token,
      body: { chat: { title: 'nobody home' } },
    });
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      detail: 'The chat service is unavailable; try again shortly.',
      code: expect.any(String),
    });
  });

  it('lets the auth service finish a sign-up in flight after SIGTERM and exits 0', async () => {
    const email = `drain-held-${Date.now()}@example.com`;
    const response = await drainWithCallHeldByLock('auth', 'auth.users', () =>
      request(stack.gatewayUrls[0]!, 'POST', '/api/v1/auths/signup', {
        body: { name: 'Held', email, password: 'correct horse battery' },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ email });
  });
});
