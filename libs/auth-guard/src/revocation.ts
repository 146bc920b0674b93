import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { channelName } from '@parley/redis';

/**
 * Token revocation shared by every copy of every service, through Redis:
 * - `parley:auth:revoked-before:<user>`: tokens of the user issued before this time (ms) are dead
 *   (sign-out everywhere, password or role change, deletion);
 * - `parley:auth:revoked-token:<jti>`: one token is dead (sign-out of one session);
 * both expire when the last token they could affect would have expired. Changes are also published
 * on a channel so in-process caches drop what they hold at once; the caches live at most one
 * second, so even a lost message delays a revocation by no more than that.
 */
export const REVOCATION_CHANNEL = 'parley:auth:revocations';
export const revokedBeforeKey = (userId: string): string => `parley:auth:revoked-before:${userId}`;
export const revokedTokenKey = (tokenId: string): string => `parley:auth:revoked-token:${tokenId}`;

export type RevocationKind = 'tokens' | 'token' | 'permissions' | 'api_key';

export interface RevocationMessage {
  v: 1;
  kind: RevocationKind;
  /** Absent on a permissions change that affects everyone (a group changed). */
  user_id?: string;
  token_id?: string;
  revoked_before_ms?: number;
  /** For `token`: when the token expires (seconds), which bounds how long the revocation is kept. */
  token_expires_at?: number;
}

/**
 * Keeps `revoked-before` monotonic: a revocation relayed late from another region never moves it back
 * behind a newer local one.
 */
const SET_IF_LATER = `local current = redis.call('GET', KEYS[1])
if (not current) or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1`;

/** Written by the auth service. */
export class RevocationPublisher {
  private sink?: (message: RevocationMessage) => Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly maxTokenLifetimeMs: number,
  ) {}

  /**
   * Also hands every revocation made here to `sink` (the auth service's global channel to other
   * regions, docs/multi-region.md); revocations relayed from elsewhere go through `apply` and not to it.
   */
  forwardTo(sink: (message: RevocationMessage) => Promise<void>): void {
    this.sink = sink;
  }

  /** Every token the user holds now stops working (new ones issued afterwards are fine). */
  async revokeUserTokens(userId: string): Promise<number> {
    const before = Date.now();
    await this.originate({ v: 1, kind: 'tokens', user_id: userId, revoked_before_ms: before });
    return before;
  }

  async revokeToken(tokenId: string, expiresAtSeconds: number): Promise<void> {
    await this.originate({ v: 1, kind: 'token', token_id: tokenId, token_expires_at: expiresAtSeconds });
  }

  async permissionsChanged(userId?: string): Promise<void> {
    await this.originate({ v: 1, kind: 'permissions', ...(userId ? { user_id: userId } : {}) });
  }

  async apiKeyChanged(userId: string): Promise<void> {
    await this.originate({ v: 1, kind: 'api_key', user_id: userId });
  }

  /** Makes a revocation take effect in this Redis and tells this region's caches; idempotent. */
  async apply(message: RevocationMessage): Promise<void> {
    if (message.kind === 'tokens' && message.user_id && message.revoked_before_ms !== undefined) {
      await this.redis.eval(
        SET_IF_LATER,
        1,
        revokedBeforeKey(message.user_id),
        String(message.revoked_before_ms),
        String(this.maxTokenLifetimeMs + 60_000),
      );
    }
    if (message.kind === 'token' && message.token_id) {
      const expiresAtMs =
        (message.token_expires_at ?? Date.now() / 1000 + this.maxTokenLifetimeMs / 1000) * 1000;
      const ttlMs = Math.max(1_000, Math.round(expiresAtMs - Date.now() + 60_000));
      await this.redis.set(revokedTokenKey(message.token_id), '1', 'PX', ttlMs);
    }
    await this.redis.publish(channelName(this.redis, REVOCATION_CHANNEL), JSON.stringify(message));
  }

  /** How long a revocation matters: after this, every token it could affect has expired anyway. */
  keepUntilMs(message: RevocationMessage): number {
    if (message.kind === 'token' && message.token_expires_at) return message.token_expires_at * 1000 + 60_000;
    return Date.now() + this.maxTokenLifetimeMs + 60_000;
  }

  private async originate(message: RevocationMessage): Promise<void> {
    await this.apply(message);
    await this.sink?.(message);
  }
}

export interface RevocableToken {
  id: string;
  tokenId?: string;
  /** Issue time in ms (the token's `iat_ms`, or its `iat` in seconds times 1000). */
  issuedAtMs?: number;
}

/**
 * Read side, in the gateway and realtime. `isRevoked` costs one Redis round trip per user per
 * second at most; listeners hear every revocation message (to drop caches, cut sockets).
 */
export class RevocationList {
  // Bounded (least recently used go first): a forgotten entry only costs one Redis round trip.
  private readonly cache = new LRUCache<string, { revokedBefore: number; fetchedAt: number }>({
    max: 100_000,
  });
  private readonly revokedTokens = new LRUCache<string, true>({ max: 100_000 });
  /** Tokens found not revoked, and when (ms). */
  private readonly checkedTokens = new LRUCache<string, number>({ max: 100_000 });
  private readonly listeners: Array<(message: RevocationMessage) => void> = [];

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly cacheMs = 1_000,
  ) {}

  async start(): Promise<void> {
    const revocations = channelName(this.subscriber, REVOCATION_CHANNEL);
    this.subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== revocations) return;
      let message: RevocationMessage;
      try {
        message = JSON.parse(raw) as RevocationMessage;
      } catch {
        return;
      }
      if (message.kind === 'tokens' && message.user_id) {
        this.cache.set(message.user_id, {
          revokedBefore: message.revoked_before_ms ?? Date.now(),
          fetchedAt: Date.now(),
        });
      }
      if (message.kind === 'token' && message.token_id) {
        this.revokedTokens.set(message.token_id, true);
        this.checkedTokens.delete(message.token_id);
      }
      for (const listener of this.listeners) listener(message);
    });
    await this.subscriber.subscribe(revocations);
  }

  onMessage(listener: (message: RevocationMessage) => void): void {
    this.listeners.push(listener);
  }

  async isRevoked(token: RevocableToken): Promise<boolean> {
    if (token.tokenId && this.revokedTokens.has(token.tokenId)) return true;
    const issuedAt = token.issuedAtMs ?? 0;
    const now = Date.now();
    const user = this.cache.get(token.id);
    const tokenCheckedAt = token.tokenId ? this.checkedTokens.get(token.tokenId) : now;
    if (
      user &&
      now - user.fetchedAt < this.cacheMs &&
      tokenCheckedAt !== undefined &&
      now - tokenCheckedAt < this.cacheMs
    ) {
      return issuedAt < user.revokedBefore;
    }
    const [before, tokenRevoked] = await this.redis.mget(
      revokedBeforeKey(token.id),
      revokedTokenKey(token.tokenId ?? '-'),
    );
    const revokedBefore = before ? Number(before) : 0;
    this.cache.set(token.id, { revokedBefore, fetchedAt: now });
    if (token.tokenId && tokenRevoked) {
      this.revokedTokens.set(token.tokenId, true);
      return true;
    }
    if (token.tokenId) this.checkedTokens.set(token.tokenId, now);
    return issuedAt < revokedBefore;
  }
}
