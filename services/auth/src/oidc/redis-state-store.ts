import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

const TTL_SECONDS = 600;
const key = (handle: string) => `parley:oidc:state:${handle}`;

interface StoredState {
  handle: string;
  maxAge?: number;
  nonce?: string;
  issued?: string;
  state?: unknown;
}

/**
 * passport-openidconnect's state store, in Redis instead of a server session: the login may start
 * on one gateway/auth copy and the provider's callback arrive at another. A state is used once
 * (GETDEL) and expires after ten minutes.
 */
export class RedisStateStore {
  constructor(private readonly redis: Redis) {}

  store(
    _req: unknown,
    ctx: { maxAge?: number; nonce?: string; issued?: Date },
    appState: unknown,
    _meta: unknown,
    cb: (error: Error | null, handle?: string) => void,
  ): void {
    const handle = randomBytes(24).toString('base64url');
    const value: StoredState = {
      handle,
      maxAge: ctx.maxAge,
      nonce: ctx.nonce,
      issued: ctx.issued?.toISOString(),
      state: appState,
    };
    this.redis.set(key(handle), JSON.stringify(value), 'EX', TTL_SECONDS).then(
      () => cb(null, handle),
      (error: Error) => cb(error),
    );
  }

  verify(
    _req: unknown,
    handle: string,
    cb: (
      error: Error | null,
      ctx?: false | { maxAge?: number; nonce?: string; issued?: Date },
      state?: unknown,
    ) => void,
  ): void {
    if (typeof handle !== 'string' || handle.length > 100) {
      cb(null, false);
      return;
    }
    this.redis.getdel(key(handle)).then(
      (raw) => {
        if (!raw) return cb(null, false);
        const state = JSON.parse(raw) as StoredState;
        cb(
          null,
          {
            maxAge: state.maxAge,
            nonce: state.nonce,
            issued: state.issued ? new Date(state.issued) : undefined,
          },
          state.state,
        );
      },
      (error: Error) => cb(error),
    );
  }
}
