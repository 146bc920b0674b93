import type Redis from 'ioredis';
import { DomainError, ErrorKind } from '@parley/errors';

/**
 * A sliding-window counter in Redis, shared by every gateway copy: a sorted set of attempt times per
 * key, trimmed to the window, counted and extended in one atomic script. Answers how long to wait
 * when the limit is reached.
 */
const SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local member = ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', key, now, member)
redis.call('PEXPIRE', key, window)
return {1, 0}
`;

export class SlidingWindowLimiter {
  constructor(private readonly redis: Redis) {}

  /** Records an attempt under every key, or throws RateLimited (429) naming what was exceeded. */
  async hit(checks: Array<{ key: string; limit: number; windowMs: number; what: string }>): Promise<void> {
    const now = Date.now();
    const member = `${now}-${Math.random().toString(36).slice(2)}`;
    for (const check of checks) {
      let result: [number, number];
      try {
        result = (await this.redis.eval(SCRIPT, 1, check.key, now, check.windowMs, check.limit, member)) as [
          number,
          number,
        ];
      } catch {
        throw new DomainError(
          ErrorKind.Unavailable,
          'Sign-in is unavailable right now (rate limiting cannot be checked); try again shortly.',
        );
      }
      if (result[0] === 0) {
        const retryAfterSeconds = Math.max(1, Math.ceil(result[1] / 1000));
        throw new DomainError(
          ErrorKind.RateLimited,
          `Too many sign-in attempts ${check.what}; try again in ${retryAfterSeconds} seconds.`,
          { retryAfterSeconds, code: 'SIGN_IN_RATE_LIMITED' },
        );
      }
    }
  }
}
