import { randomInt, randomUUID } from 'node:crypto';
import { freePort, startServiceProcess, startStack, ServiceProcess, Stack } from '@parley/testing';
import { request, signUp, SignedUp } from './support/http';

const email = (label: string) => `${label}-${randomUUID()}@example.com`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * A made-up client address (the IPv6 documentation prefix: nothing is ever sent there), given as
 * X-Forwarded-For through the trusted loopback proxy, so each test has its own per-address budget.
 */
const clientIp = () => `2001:db8::${randomInt(1, 0xffff).toString(16)}:${randomInt(1, 0xffff).toString(16)}`;

/** Polls until `probe` returns the wanted status, for at most `ms`; returns how long it took. */
async function statusWithin(ms: number, want: number, probe: () => Promise<number>): Promise<number> {
  const started = Date.now();
  let last = 0;
  while (Date.now() - started <= ms) {
    last = await probe();
    if (last === want) return Date.now() - started;
    await sleep(50);
  }
  throw new Error(`status was still ${last} after ${ms} ms (wanted ${want})`);
}

describe('accounts, sessions and keys across two gateway copies', () => {
  let stack: Stack;
  let a: string;
  let b: string;
  let admin: SignedUp;

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 2, gateway: 2 },
      env: { DEFAULT_USER_ROLE: 'user', SIGNIN_RATE_LIMIT_PER_ACCOUNT: '3', SIGNIN_RATE_LIMIT_PER_IP: '6' },
    });
    [a, b] = stack.gatewayUrls as [string, string];
    admin = await signUp(a, 'Admin', email('admin'), undefined, { 'x-forwarded-for': clientIp() });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** Any route that needs a signed-in, approved user will do; this one asks only the auth service. */
  const chats = (base: string, token: string) =>
    request(base, 'GET', '/api/v1/users/permissions', { token }).then((r) => r.status);
  const newUser = async (label: string) =>
    signUp(a, label, email(label), undefined, { 'x-forwarded-for': clientIp() });

  it('signs out one session on every copy within a second, and leaves other sessions alone', async () => {
    const user = await newUser('signout');
    const other = await request<{ token: string }>(b, 'POST', '/api/v1/auths/signin', {
      body: { email: user.email, password: 'correct horse battery' },
      headers: { 'x-forwarded-for': clientIp() },
    });
    expect(await chats(b, user.token)).toBe(200);
    const out = await request(a, 'GET', '/api/v1/auths/signout', { token: user.token });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/token=;/);
    expect(await statusWithin(1_000, 401, () => chats(b, user.token))).toBeLessThanOrEqual(1_000);
    expect(await chats(a, user.token)).toBe(401);
    expect(await chats(b, other.body.token)).toBe(200);
  });

  it('ends every session of a user whose password changes, and keeps the new one working', async () => {
    const user = await newUser('password');
    const changed = await request(a, 'POST', '/api/v1/auths/update/password', {
      token: user.token,
      body: { password: 'correct horse battery', new_password: 'a brand new secret' },
    });
    expect(changed.status).toBe(200);
    const cookie = /token=([^;]+)/.exec(changed.headers.get('set-cookie') ?? '')?.[1];
    expect(cookie).toBeDefined();
    await statusWithin(1_000, 401, () => chats(b, user.token));
    expect(await chats(b, decodeURIComponent(cookie!))).toBe(200);
    const wrongNow = await request(b, 'POST', '/api/v1/auths/update/password', {
      token: decodeURIComponent(cookie!),
      body: { password: 'correct horse battery', new_password: 'whatever else' },
    });
    expect(wrongNow.status).toBe(403);
    expect(wrongNow.body).toEqual({ detail: 'The current password is incorrect.', code: expect.any(String) });
  });

  it('revokes a user whose role an admin changes, and a demoted user waits for approval', async () => {
    const user = await newUser('demoted');
    const updated = await request(b, 'POST', `/api/v1/users/${user.id}/update`, {
      token: admin.token,
      body: { role: 'pending' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: user.id, role: 'pending' });
    await statusWithin(1_000, 401, () => chats(a, user.token));
    const again = await request<{ token: string; role: string }>(a, 'POST', '/api/v1/auths/signin', {
      body: { email: user.email, password: 'correct horse battery' },
      headers: { 'x-forwarded-for': clientIp() },
    });
    expect(again.body.role).toBe('pending');
    const me = await request(a, 'GET', '/api/v1/auths/', { token: again.body.token });
    expect(me.status).toBe(200);
    const blocked = await request(b, 'GET', '/api/v1/users/permissions', { token: again.body.token });
    expect(blocked.status).toBe(403);
    expect(blocked.body).toEqual({
      detail: 'Your account is waiting for an administrator to approve it.',
      code: expect.any(String),
    });
  });

  it('keeps admin paths for admins: 403 for a user, and protects the last admin', async () => {
    const user = await newUser('plain');
    for (const [method, path, body] of [
      ['GET', '/api/v1/users/', undefined],
      ['POST', '/api/v1/auths/add', { name: 'x', email: email('x'), password: 'long enough pw' }],
      ['POST', '/api/v1/groups/create', { name: 'g' }],
      ['DELETE', `/api/v1/users/${admin.id}`, undefined],
    ] as const) {
      const res = await request(b, method, path, { token: user.token, body });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'This action needs an administrator.', code: expect.any(String) });
    }
    const selfDemote = await request(a, 'POST', `/api/v1/users/${admin.id}/update`, {
      token: admin.token,
      body: { role: 'user' },
    });
    expect(selfDemote.status).toBe(409);
    const list = await request<{ users: Array<{ email: string }>; total: number }>(
      a,
      'GET',
      `/api/v1/users/?query=plain&page=1`,
      {
        token: admin.token,
      },
    );
    expect(list.status).toBe(200);
    expect(list.body.users.map((u) => u.email)).toContain(user.email);
    expect(list.body.users.every((u) => u.email.includes('plain'))).toBe(true);
  });

  it('deletes a user: their token and API key stop working on every copy', async () => {
    const user = await newUser('deleted');
    const key = await request<{ api_key: string }>(a, 'POST', '/api/v1/auths/api_key', { token: user.token });
    expect(await chats(b, key.body.api_key)).toBe(200);
    const deleted = await request(b, 'DELETE', `/api/v1/users/${user.id}`, { token: admin.token });
    expect(deleted.status).toBe(200);
    await statusWithin(1_000, 401, () => chats(a, user.token));
    await statusWithin(1_000, 401, () => chats(a, key.body.api_key));
    expect(await chats(b, key.body.api_key)).toBe(401);
  });

  it('issues an sk- API key once, stores it hashed, tracks last use, and kills it everywhere on delete', async () => {
    const user = await newUser('keys');
    const created = await request<{ api_key: string; last_used_at: number | null }>(
      b,
      'POST',
      '/api/v1/auths/api_key',
      { token: user.token },
    );
    expect(created.body.api_key).toMatch(/^sk-[0-9a-f]{48}$/);
    expect(created.body.last_used_at).toBeNull();
    const shown = await request<{ api_key: string }>(a, 'GET', '/api/v1/auths/api_key', {
      token: user.token,
    });
    expect(shown.body.api_key).not.toContain(created.body.api_key.slice(7));
    expect(await chats(a, created.body.api_key)).toBe(200);
    expect(await chats(b, created.body.api_key)).toBe(200);
    const used = await request<{ last_used_at: number }>(a, 'GET', '/api/v1/auths/api_key', {
      token: user.token,
    });
    expect(used.body.last_used_at).toBeGreaterThan(0);
    expect((await request(a, 'DELETE', '/api/v1/auths/api_key', { token: user.token })).status).toBe(200);
    await statusWithin(1_000, 401, () => chats(b, created.body.api_key));
    expect(await chats(a, 'sk-' + '0'.repeat(48))).toBe(401);
  });

  it('limits sign-in attempts per account across copies with 429 and Retry-After', async () => {
    const user = await newUser('limited');
    const attempt = (base: string) =>
      request(base, 'POST', '/api/v1/auths/signin', {
        body: { email: user.email, password: 'wrong password' },
        headers: { 'x-forwarded-for': clientIp() },
      });
    // The sign-up above counted as the first attempt for this account; the limit is 3.
    expect((await attempt(a)).status).toBe(401);
    expect((await attempt(b)).status).toBe(401);
    const limited = await attempt(a);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toEqual({
      detail: expect.stringMatching(/Too many sign-in attempts for this account; try again in \d+ seconds\./),
      code: 'SIGN_IN_RATE_LIMITED',
    });
  });

  it('limits sign-in attempts per client address', async () => {
    const ip = clientIp();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await request(i % 2 ? a : b, 'POST', '/api/v1/auths/signin', {
        body: { email: email('nobody'), password: 'whatever pw' },
        headers: { 'x-forwarded-for': ip },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);
  });

  it('grants group permissions and withdraws them on every copy at once', async () => {
    const user = await newUser('grouped');
    const perms = (base: string) =>
      request<{ workspace: Record<string, boolean> }>(base, 'GET', '/api/v1/users/permissions', {
        token: user.token,
      }).then((r) => r.body.workspace);
    expect((await perms(a)).models).toBe(false);
    const group = await request<{ id: string; user_ids: string[] }>(a, 'POST', '/api/v1/groups/create', {
      token: admin.token,
      body: {
        name: `builders-${randomUUID()}`,
        permissions: { 'workspace.models': true },
        user_ids: [user.id],
      },
    });
    expect(group.status).toBe(200);
    expect(group.body.user_ids).toEqual([user.id]);
    expect((await perms(b)).models).toBe(true);
    expect((await perms(a)).models).toBe(true);
    const removed = await request(b, 'POST', `/api/v1/groups/id/${group.body.id}/update`, {
      token: admin.token,
      body: { user_ids: [] },
    });
    expect(removed.status).toBe(200);
    // Withdrawn on both copies within a second (the cache is dropped by the revocation channel).
    for (const base of [a, b]) {
      await statusWithin(1_000, 0, async () => ((await perms(base)).models ? 1 : 0));
    }
    const bad = await request(a, 'POST', '/api/v1/groups/create', {
      token: admin.token,
      body: { name: 'x', permissions: { 'DROP TABLE': true } },
    });
    expect(bad.status).toBe(400);
  });

  it('answers bad input on every account route with a 4xx and a detail, never a 500', async () => {
    const user = await newUser('junk');
    const t = admin.token;
    const cases: Array<[string, string, { token?: string; body?: unknown; rawBody?: string }]> = [
      [
        'POST',
        '/api/v1/auths/signup',
        { body: { name: 'x', email: 'a'.repeat(300) + '@x.io', password: 'long enough pw' } },
      ],
      ['POST', '/api/v1/auths/signup', { body: { name: ['x'], email: { $ne: '' }, password: 12345678 } }],
      ['POST', '/api/v1/auths/signin', { body: { email: "' OR 1=1 --", password: "' OR 1=1 --" } }],
      ['POST', '/api/v1/auths/signin', { rawBody: '{"email":' }],
      [
        'POST',
        '/api/v1/auths/signin',
        { rawBody: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(9_000_000) }) },
      ],
      ['POST', '/api/v1/auths/update/profile', { token: user.token, body: { name: '' } }],
      [
        'POST',
        '/api/v1/auths/update/profile',
        { token: user.token, body: { name: 'ok', profile_image_url: 'javascript:alert(1)' } },
      ],
      [
        'POST',
        '/api/v1/auths/update/password',
        { token: user.token, body: { password: 'correct horse battery', new_password: 'short' } },
      ],
      [
        'POST',
        '/api/v1/auths/add',
        { token: t, body: { name: 'x', email: 'not an email', password: 'long enough pw' } },
      ],
      [
        'POST',
        '/api/v1/auths/add',
        { token: t, body: { name: 'x', email: email('x'), password: 'long enough pw', role: 'root' } },
      ],
      ['GET', '/api/v1/users/?page=zero', { token: t }],
      ['GET', `/api/v1/users/?query=${'q'.repeat(500)}`, { token: t }],
      ['POST', '/api/v1/users/not-a-uuid/update', { token: t, body: { role: 'user' } }],
      ['POST', `/api/v1/users/${user.id}/update`, { token: t, body: { role: 42 } }],
      ['DELETE', '/api/v1/users/00000000-0000-0000-0000-000000000000', { token: t }],
      ['POST', '/api/v1/groups/create', { token: t, body: { name: '' } }],
      ['POST', '/api/v1/groups/create', { token: t, body: { name: 'g', user_ids: ['nope'] } }],
      [
        'POST',
        '/api/v1/groups/create',
        { token: t, body: { name: 'g', user_ids: ['00000000-0000-0000-0000-000000000000'] } },
      ],
      ['POST', '/api/v1/groups/id/xyz/update', { token: t, body: { name: 'renamed' } }],
      ['DELETE', '/api/v1/groups/id/00000000-0000-0000-0000-000000000000/delete', { token: t }],
      ['POST', '/api/v1/auths/ldap', { body: { user: 'u', password: 'p' } }],
    ];
    for (const [method, path, options] of cases) {
      const res = await request(a, method, path, { ...options, headers: { 'x-forwarded-for': clientIp() } });
      expect({ method, path, status: res.status < 500 && res.status >= 400 }).toEqual({
        method,
        path,
        status: true,
      });
      expect(res.body).toEqual({ detail: expect.any(String), code: expect.any(String) });
    }
  });

  describe('with API key endpoint restrictions', () => {
    let restricted: ServiceProcess;

    beforeAll(async () => {
      const port = await freePort();
      restricted = await startServiceProcess('gateway', {
        httpPort: port,
        env: {
          PORT: String(port),
          AUTH_GRPC_URL: stack.grpcTargets.auth![0]!,
          REDIS_URL: 'redis://127.0.0.1:6379',
          CALLER_ASSERTION_SECRET: stack.callerSecret,
          ENABLE_API_KEY_ENDPOINT_RESTRICTIONS: 'true',
          API_KEY_ALLOWED_ENDPOINTS: '/api/v1/users/permissions, /api/models*',
        },
      });
    });

    afterAll(async () => {
      await restricted?.stop();
    });

    it('lets a key call only the listed endpoints, while tokens are not restricted', async () => {
      const user = await newUser('restricted');
      const key = (
        await request<{ api_key: string }>(a, 'POST', '/api/v1/auths/api_key', { token: user.token })
      ).body.api_key;
      const allowed = await request(restricted.httpUrl, 'GET', '/api/v1/users/permissions', { token: key });
      expect(allowed.status).toBe(200);
      const denied = await request(restricted.httpUrl, 'GET', '/api/v1/auths/', { token: key });
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual({
        detail: expect.stringContaining('may not call this endpoint'),
        code: expect.any(String),
      });
      expect(await chats(restricted.httpUrl, user.token)).toBe(200);
    });
  });
});
