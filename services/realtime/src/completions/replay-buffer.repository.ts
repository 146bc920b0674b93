import { Inject, Injectable } from '@nestjs/common';
import { RealtimeRedis } from '../redis/realtime-redis';
import { CompletionDelta, completionDeltaSchema } from '../events/realtime-events';

/**
 * Stores a delta once per seq (a redelivery, or a second delta with a seq already held, is a no-op: the
 * first one wins, so the sweeper's closing filler never replaces text) and marks the message as recent
 * for its user. Returns 1 when the delta is new.
 */
const STORE = `
if redis.call('ZCOUNT', KEYS[1], ARGV[1], ARGV[1]) > 0 then return 0 end
local added = redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return added`;

/** How long a finished answer stays in the "recent" list that a resume without names returns. */
const FINISHED_RECENT_MS = 60_000;

/**
 * The replay buffer: per message a sorted set of its deltas scored by seq, with a TTL, written by the
 * copy that took the delta from NATS. Per user a sorted set of recent message ids, so a client that
 * reconnects gets answers that started while it was away too.
 */
@Injectable()
export class ReplayBufferRepository {
  constructor(@Inject(RealtimeRedis) private readonly redis: RealtimeRedis) {}

  private messageKey(messageId: string): string {
    return this.redis.key('completion', messageId);
  }

  private recentKey(userId: string): string {
    return this.redis.key('recent', userId);
  }

  async store(delta: CompletionDelta, ttlMs: number, now = Date.now()): Promise<boolean> {
    const recentUntil = delta.done ? now + Math.min(ttlMs, FINISHED_RECENT_MS) : now + ttlMs;
    const added = await this.redis.client.eval(
      STORE,
      2,
      this.messageKey(delta.message_id),
      this.recentKey(delta.user_id),
      String(delta.seq),
      JSON.stringify(delta),
      String(ttlMs),
      delta.message_id,
      String(recentUntil),
    );
    return added === 1;
  }

  /**
   * Notes that a delta was emitted. Sent on the connection the Socket.IO adapter publishes on, after
   * the emit: Redis runs them in order, so a set bit means the emit went out.
   */
  async markEmitted(messageId: string, seq: number, ttlMs: number): Promise<void> {
    const key = this.redis.key('emitted', messageId);
    await this.redis.client.multi().setbit(key, seq, 1).pexpire(key, ttlMs).exec();
  }

  async wasEmitted(messageId: string, seq: number): Promise<boolean> {
    return (await this.redis.client.getbit(this.redis.key('emitted', messageId), seq)) === 1;
  }

  /** The user's deltas of one message after `afterSeq`, in seq order, each seq once. */
  async after(userId: string, messageId: string, afterSeq: number): Promise<CompletionDelta[]> {
    const raw = await this.redis.client.zrangebyscore(this.messageKey(messageId), `(${afterSeq}`, '+inf');
    const seen = new Set<number>();
    const deltas: CompletionDelta[] = [];
    for (const entry of raw) {
      const parsed = completionDeltaSchema.safeParse(JSON.parse(entry));
      if (!parsed.success || parsed.data.user_id !== userId || seen.has(parsed.data.seq)) continue;
      seen.add(parsed.data.seq);
      deltas.push(parsed.data);
    }
    return deltas;
  }

  /** Message ids of the user's answers that are streaming or finished a moment ago. */
  async recent(userId: string, now = Date.now()): Promise<string[]> {
    return this.redis.client.zrangebyscore(this.recentKey(userId), now, '+inf');
  }
}
