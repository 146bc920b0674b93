import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ModelGatewayRedis } from '../redis/model-gateway-redis';

const PREFIX = 'parley:model-gateway:quota:rpm:';
const WINDOW_MS = 60_000;

// A sliding window of one minute in a sorted set (score = start time): drop what left the window,
// refuse when full (answering how long until the oldest leaves), else take a slot. One script, so
// copies racing on the same user never both take the last slot.
const TAKE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local wait = tonumber(ARGV[2])
  if oldest[2] then wait = tonumber(oldest[2]) + tonumber(ARGV[2]) - tonumber(ARGV[1]) end
  return {0, wait}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, 0}
`;

/** Requests per minute per user, shared by every copy through Redis. */
@Injectable()
export class RequestWindowRepository {
  constructor(@Inject(ModelGatewayRedis) private readonly redis: ModelGatewayRedis) {}

  /** Takes a slot in the user's last minute; when full, how many ms until one frees up. */
  async take(userId: string, limit: number): Promise<{ allowed: true } | { allowed: false; waitMs: number }> {
    const [allowed, waitMs] = (await this.redis.client.eval(
      TAKE_SLOT,
      1,
      PREFIX + userId,
      String(Date.now()),
      String(WINDOW_MS),
      String(limit),
      randomUUID(),
    )) as [number, number];
    return allowed === 1 ? { allowed: true } : { allowed: false, waitMs: Math.max(0, Number(waitMs)) };
  }
}
