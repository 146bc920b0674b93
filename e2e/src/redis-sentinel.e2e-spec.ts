import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { RedisWithSentinel, startRedisWithSentinel, startStack, Stack } from '@parley/testing';
import { request, signUp } from './support/http';
import { connectSocket } from './support/sockets';

/** REDIS_MODE=sentinel: the services find the Redis master through a real Sentinel. */
describe('Redis through Sentinel', () => {
  let redis: RedisWithSentinel;
  let stack: Stack;

  beforeAll(async () => {
    redis = await startRedisWithSentinel();
    stack = await startStack({
      copies: { auth: 1, realtime: 1, gateway: 1 },
      env: {
        REDIS_MODE: 'sentinel',
        REDIS_URL: `redis://${redis.masterName}:6379/0`,
        REDIS_SENTINEL_HOSTS: '127.0.0.1',
        REDIS_SENTINEL_PORT: String(redis.sentinelPort),
        REALTIME_CLUSTER: `sentinel-${randomUUID().slice(0, 8)}`,
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  it('keeps rate limits and revocations in the master the sentinel names, and serves sockets', async () => {
    const gateway = stack.gatewayUrls[0]!;
    const user = await signUp(gateway, 'Sentinel', `sentinel-${randomUUID()}@example.com`);
    const socket = await connectSocket(gateway, user.token);
    expect(socket.socket.connected).toBe(true);
    expect((await request(gateway, 'GET', '/api/v1/auths/signout', { token: user.token })).status).toBe(200);
    expect((await request(gateway, 'GET', '/api/v1/auths/', { token: user.token })).status).toBe(401);
    const master = new Redis({ port: redis.masterPort, host: '127.0.0.1' });
    try {
      expect((await master.keys('parley:ratelimit:signin:*')).length).toBeGreaterThan(0);
      expect((await master.keys('parley:auth:revoked-token:*')).length).toBe(1);
    } finally {
      master.disconnect();
      socket.close();
    }
  });

  it('refuses REDIS_MODE=cluster at start with a message that says so', async () => {
    await expect(startStack({ copies: { auth: 1 }, env: { REDIS_MODE: 'cluster' } })).rejects.toThrow(
      'REDIS_MODE must be standalone or sentinel (Redis Cluster is not supported yet)',
    );
  });
});
