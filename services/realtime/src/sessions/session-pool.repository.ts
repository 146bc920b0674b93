import { Inject, Injectable } from '@nestjs/common';
import { RealtimeRedis } from '../redis/realtime-redis';

/** Removes a socket from its user's sessions and the user from the active set when none is left. */
const REMOVE_SESSION = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[3])
end
return 1`;

export interface LocalSession {
  socketId: string;
  userId: string;
}

/**
 * The session pool in Redis. Per user a sorted set of socket ids scored by expiry time, and one sorted
 * set of users scored by their latest session's expiry. Every entry carries an expiry that only the
 * copy holding the socket refreshes, and every key a TTL: a copy that dies leaves nothing after it.
 */
@Injectable()
export class SessionPoolRepository {
  constructor(@Inject(RealtimeRedis) private readonly redis: RealtimeRedis) {}

  private sessionsKey(userId: string): string {
    return this.redis.key('sessions', userId);
  }

  private get usersKey(): string {
    return this.redis.key('users');
  }

  /** Adds or refreshes sessions (one round trip for all of them). */
  async touch(sessions: LocalSession[], ttlMs: number, now = Date.now()): Promise<void> {
    if (!sessions.length) return;
    const expiry = now + ttlMs;
    const pipeline = this.redis.client.pipeline();
    for (const { socketId, userId } of sessions) {
      pipeline.zadd(this.sessionsKey(userId), expiry, socketId);
      // Entries of a copy that died (never refreshed) leave at the next heartbeat after their expiry.
      pipeline.zremrangebyscore(this.sessionsKey(userId), '-inf', now);
      pipeline.pexpire(this.sessionsKey(userId), ttlMs);
      pipeline.zadd(this.usersKey, 'GT', expiry, userId);
    }
    pipeline.pexpire(this.usersKey, ttlMs);
    await pipeline.exec();
  }

  async remove(session: LocalSession, now = Date.now()): Promise<void> {
    await this.redis.client.eval(
      REMOVE_SESSION,
      2,
      this.sessionsKey(session.userId),
      this.usersKey,
      session.socketId,
      String(now),
      session.userId,
    );
  }

  /** Users with at least one live session (expired entries are swept on the way). */
  async activeUserCount(now = Date.now()): Promise<number> {
    const [, count] = (await this.redis.client
      .multi()
      .zremrangebyscore(this.usersKey, '-inf', now)
      .zcard(this.usersKey)
      .exec()) as [[Error | null, number], [Error | null, number]];
    if (count[0]) throw count[0];
    return count[1];
  }

  /** Live sessions of one user (for tests and the admin view). */
  async sessionsOf(userId: string, now = Date.now()): Promise<string[]> {
    return this.redis.client.zrangebyscore(this.sessionsKey(userId), now, '+inf');
  }
}
