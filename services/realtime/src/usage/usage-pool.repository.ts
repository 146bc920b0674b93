import { Inject, Injectable } from '@nestjs/common';
import { RealtimeRedis } from '../redis/realtime-redis';

/** Drops expired tasks and returns how many went and the models of the live ones. */
const SWEEP = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, task in ipairs(expired) do redis.call('HDEL', KEYS[2], task) end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1]) end
return {#expired, redis.call('HVALS', KEYS[2])}`;

const START = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1`;

/**
 * The usage pool: which models are generating right now. A sorted set of task ids scored by expiry and
 * a hash task id → model id, both with a TTL; a task that never reports its end drops out at expiry.
 */
@Injectable()
export class UsagePoolRepository {
  constructor(@Inject(RealtimeRedis) private readonly redis: RealtimeRedis) {}

  private get tasksKey(): string {
    return this.redis.key('usage', 'tasks');
  }

  private get modelsKey(): string {
    return this.redis.key('usage', 'models');
  }

  private stoppedKey(taskId: string): string {
    return this.redis.key('usage', 'stopped', taskId);
  }

  /**
   * Copies take `task.started` and `task.stopped` independently, so a stop can be handled before its
   * start: the stop leaves a marker for the TTL, and a start that finds it is ignored.
   */
  async start(taskId: string, modelId: string, ttlMs: number, now = Date.now()): Promise<void> {
    await this.redis.client.eval(
      START,
      3,
      this.tasksKey,
      this.modelsKey,
      this.stoppedKey(taskId),
      taskId,
      modelId,
      String(now + ttlMs),
      // The keys outlive their entries, so a sweep sees an entry expire and can say so.
      String(ttlMs * 2 + 10_000),
    );
  }

  async stop(taskId: string, ttlMs: number): Promise<void> {
    await this.redis.client
      .multi()
      .zrem(this.tasksKey, taskId)
      .hdel(this.modelsKey, taskId)
      .set(this.stoppedKey(taskId), '1', 'PX', ttlMs)
      .exec();
  }

  /** The distinct models in use, sorted, and how many expired tasks were swept now. */
  async sweep(now = Date.now()): Promise<{ expired: number; models: string[] }> {
    const [expired, models] = (await this.redis.client.eval(
      SWEEP,
      2,
      this.tasksKey,
      this.modelsKey,
      String(now),
    )) as [number, string[]];
    return { expired, models: [...new Set(models)].sort() };
  }
}
