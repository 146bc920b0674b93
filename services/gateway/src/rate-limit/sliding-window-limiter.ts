import type Redis from 'ioredis';
import { DomainError, ErrorKind } from '@parley/errors';
import { takeWindowSlot, type WindowSlot } from '@parley/redis';

/** Sign-in attempts per key in a sliding window shared by every gateway copy (libs/redis takeWindowSlot). */
export class SlidingWindowLimiter {
  constructor(private readonly redis: Redis) {}

  /** Records an attempt under every key, or throws RateLimited (429) naming what was exceeded. */
  async hit(checks: Array<{ key: string; limit: number; windowMs: number; what: string }>): Promise<void> {
    const now = Date.now();
    const member = `${now}-${Math.random().toString(36).slice(2)}`;
    for (const check of checks) {
      let slot: WindowSlot;
      try {
        slot = await takeWindowSlot(this.redis, {
          key: check.key,
          limit: check.limit,
          windowMs: check.windowMs,
          now,
          member,
        });
      } catch {
        throw new DomainError(
          ErrorKind.Unavailable,
          'Sign-in is unavailable right now (rate limiting cannot be checked); try again shortly.',
        );
      }
      if (!slot.allowed) {
        const retryAfterSeconds = Math.max(1, Math.ceil(slot.waitMs / 1000));
        throw new DomainError(
          ErrorKind.RateLimited,
          `Too many sign-in attempts ${check.what}; try again in ${retryAfterSeconds} seconds.`,
          { retryAfterSeconds, code: 'SIGN_IN_RATE_LIMITED' },
        );
      }
    }
  }
}
