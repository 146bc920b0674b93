import {
  createTestDatabase,
  startPrivateRedis,
  startStack,
  type PrivateRedis,
  type Stack,
  type TestDatabase,
} from '@parley/testing';
import { request, signUpsFrom, untilStatus } from './support/http';

/**
 * Two regions of one installation on one machine (docs/multi-region.md): one shared database, and per
 * region its own Redis (where gateways look revocations up) and its own auth and gateway copies. A
 * token signed out in region A must stop working in region B, whose Redis A never touches.
 */
describe('revocation across regions', () => {
  let database: TestDatabase;
  const redis: PrivateRedis[] = [];
  const regions: Stack[] = [];
  const signUp = signUpsFrom('2001:db8:5e::');

  beforeAll(async () => {
    database = await createTestDatabase();
    for (const region of ['region-a', 'region-b']) {
      const own = await startPrivateRedis();
      redis.push(own);
      regions.push(
        await startStack({
          copies: { auth: 1, gateway: 1 },
          database,
          env: { REDIS_URL: own.url, PARLEY_REGION: region, REVOCATION_RELAY_INTERVAL_MS: '200' },
        }),
      );
    }
  });

  afterAll(async () => {
    await Promise.all(regions.map((r) => r.stop()));
    await Promise.all(redis.map((r) => r.stop()));
    await database.drop();
  });

  const me = (gateway: string, token: string) => request(gateway, 'GET', '/api/v1/auths/', { token });

  it('a token signed out in region A stops working in region B', async () => {
    const [a, b] = regions.map((r) => r.gatewayUrls[0]!);
    const user = await signUp(a!, 'Traveller');
    // The same token works in both regions: the signing keys live in the shared database.
    expect((await me(a!, user.token)).status).toBe(200);
    expect((await me(b!, user.token)).status).toBe(200);

    expect((await request(a!, 'GET', '/api/v1/auths/signout', { token: user.token })).status).toBe(200);
    const signedOutAt = Date.now();
    expect((await me(a!, user.token)).status).toBe(401);
    const inB = await untilStatus(401, () => me(b!, user.token), 5_000);
    const took = Date.now() - signedOutAt;
    // How long it took is printed, not asserted (a loaded machine stretches it); the design bound is
    // one relay interval plus a Redis round trip.
    process.stdout.write(`cross-region revocation took ${took} ms (relay interval 200 ms)\n`);
    expect(inB.status).toBe(401);
  });

  it('a password change in region B ends every session of the user in region A', async () => {
    const [a, b] = regions.map((r) => r.gatewayUrls[0]!);
    const user = await signUp(a!, 'Mover');
    const second = await request<{ token: string }>(b!, 'POST', '/api/v1/auths/signin', {
      body: { email: user.email, password: 'correct horse battery' },
      headers: { 'x-forwarded-for': '2001:db8:5e::ff' },
    });
    expect(second.status).toBe(200);
    const changed = await request(b!, 'POST', '/api/v1/auths/update/password', {
      token: second.body.token,
      body: { password: 'correct horse battery', new_password: 'another horse battery' },
    });
    expect(changed.status).toBe(200);
    expect((await untilStatus(401, () => me(a!, user.token), 5_000)).status).toBe(401);
  });
});
