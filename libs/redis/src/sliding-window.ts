import type Redis from 'ioredis';

/**
 * A sliding window in Redis, shared by every copy: one sorted set per key (score = time of each hit),
 * trimmed to the window, counted and, when there is room, extended, in one atomic script, so copies
 * racing on the same key never both take the last slot. The one implementation behind sign-in rate
 * limits and per-user request quotas.
 */
const TAKE_SLOT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local wait = window
  if oldest[2] then wait = tonumber(oldest[2]) + window - now end
  return {0, wait}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
`;

export type WindowSlot = { allowed: true } | { allowed: false; waitMs: number };

/** Takes a slot in `key`'s last `windowMs`; when `limit` are taken, how many ms until one frees up. */
export async function takeWindowSlot(
  redis: Redis,
  slot: { key: string; limit: number; windowMs: number; now?: number; member?: string },
): Promise<WindowSlot> {
  const now = slot.now ?? Date.now();
  const member = slot.member ?? `${now}-${Math.random().toString(36).slice(2)}`;
  const [allowed, waitMs] = (await redis.eval(
    TAKE_SLOT,
    1,
    slot.key,
    String(now),
    String(slot.windowMs),
    String(slot.limit),
    member,
  )) as [number, number];
  return allowed === 1 ? { allowed: true } : { allowed: false, waitMs: Math.max(0, Number(waitMs)) };
}
