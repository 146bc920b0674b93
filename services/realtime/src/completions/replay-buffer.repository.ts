import { Inject, Injectable } from '@nestjs/common';
import { decodeEvent, encodeEvent, EVENTS } from '@parley/nats';
import type { eventsV1 } from '@parley/proto';
import { RealtimeRedis } from '../redis/realtime-redis';
import { deltaInBounds } from '../events/realtime-events';

type CompletionDelta = eventsV1.CompletionDelta;

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
 * The replay buffer: per message a sorted set of its deltas scored by seq, with a TTL, written by every
 * copy as it takes the delta from NATS (and once more by the shared durable consumer). Per user a
 * sorted set of recent message ids, so a client that reconnects gets answers that started while it
 * was away too.
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
      this.messageKey(delta.messageId),
      this.recentKey(delta.userId),
      String(delta.seq),
      // Stored in the wire form, so a copy of another version reads it like a delta from NATS.
      JSON.stringify(encodeEvent(EVENTS.completionDelta.at(delta.messageId), delta)),
      String(ttlMs),
      delta.messageId,
      String(recentUntil),
    );
    return added === 1;
  }

  /** The user's deltas of one message after `afterSeq`, in seq order, each seq once. */
  async after(userId: string, messageId: string, afterSeq: number): Promise<CompletionDelta[]> {
    const raw = await this.redis.client.zrangebyscore(this.messageKey(messageId), `(${afterSeq}`, '+inf');
    const seen = new Set<number>();
    const deltas: CompletionDelta[] = [];
    for (const entry of raw) {
      const delta = readDelta(entry);
      if (!delta || delta.userId !== userId || seen.has(delta.seq)) continue;
      seen.add(delta.seq);
      deltas.push(delta);
    }
    return deltas;
  }

  /** Message ids of the user's answers that are streaming or finished a moment ago. */
  async recent(userId: string, now = Date.now()): Promise<string[]> {
    return this.redis.client.zrangebyscore(this.recentKey(userId), now, '+inf');
  }
}

function readDelta(entry: string): CompletionDelta | undefined {
  try {
    const delta = decodeEvent(EVENTS.completionDelta, JSON.parse(entry));
    return deltaInBounds(delta) ? delta : undefined;
  } catch {
    return undefined;
  }
}
