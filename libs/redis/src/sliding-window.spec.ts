import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { takeWindowSlot } from './sliding-window';

/** Against the machine's real Redis, with the clock passed in (no waiting for windows to pass). */
describe('takeWindowSlot', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  const key = `parley:test:window:${randomUUID()}`;

  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it('allows `limit` hits per window, says how long until the oldest leaves, and frees slots as time passes', async () => {
    const at = (now: number) => takeWindowSlot(redis, { key, limit: 2, windowMs: 1_000, now });
    expect(await at(10_000)).toEqual({ allowed: true });
    expect(await at(10_400)).toEqual({ allowed: true });
    expect(await at(10_500)).toEqual({ allowed: false, waitMs: 500 });
    // The first hit left the window at 11 000: one slot again, then full until the second leaves.
    expect(await at(11_001)).toEqual({ allowed: true });
    expect(await at(11_002)).toEqual({ allowed: false, waitMs: 398 });
  });

  it('never gives the last slot to two racing callers', async () => {
    const raceKey = `${key}:race`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => takeWindowSlot(redis, { key: raceKey, limit: 5, windowMs: 60_000 })),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    await redis.del(raceKey);
  });
});
