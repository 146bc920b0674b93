import { createLocalJWKSet, errors as joseErrors, JSONWebKeySet, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { DomainError, ErrorKind } from '@parley/errors';

export type UserRole = 'admin' | 'user' | 'pending';

export interface AuthenticatedUser {
  id: string;
  role: UserRole;
  /** The token's id, for revocation. */
  tokenId?: string;
  /** Seconds since the epoch. */
  expiresAt?: number;
  /** Milliseconds since the epoch (revocation compares against it). */
  issuedAtMs?: number;
  /** Set when the caller authenticated with an API key rather than a token. */
  apiKeyId?: string;
}

export interface TokenVerifierOptions {
  /** Fetches the auth service's current JWKS (over gRPC in the services). */
  fetchJwks: () => Promise<JSONWebKeySet>;
  /** How long a fetched key set is trusted before it is fetched again. */
  cacheMs?: number;
  /** An unknown key id triggers a refetch at most this often (a forged kid must not hammer auth). */
  minRefetchIntervalMs?: number;
  /** Tokens whose signature was checked, remembered (until they expire) so it is checked once. */
  verifiedCacheSize?: number;
}

/** How long a verified token is remembered at most (it is also forgotten when it expires). */
const VERIFIED_TTL_MS = 60_000;

/**
 * Verifies access tokens signed by the auth service, offline, with the public keys it publishes. No
 * shared secret: a copy of any service can verify, none can sign. New keys are picked up when a token
 * names a key id not yet known, so a rotation needs no restart anywhere.
 */
export class TokenVerifier {
  private keySet?: ReturnType<typeof createLocalJWKSet>;
  private knownKids = new Set<string>();
  private fetchedAt = 0;
  private inflight?: Promise<void>;
  /**
   * Tokens already verified, keyed by the whole token (header, claims and signature: nothing else can
   * match), oldest first. A signature check is the costliest step of a request; a client sends the same
   * token with every request. Revocation is checked by the caller on every request regardless.
   */
  private readonly verified: LRUCache<string, { user: AuthenticatedUser; until: number }>;

  constructor(private readonly options: TokenVerifierOptions) {
    this.verified = new LRUCache({ max: options.verifiedCacheSize ?? 10_000 });
  }

  async verify(token: string): Promise<AuthenticatedUser> {
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && known.until > now) return known.user;
    if (known) this.verified.delete(token);
    const user = await this.verifySignature(token);
    const expiresAtMs = user.expiresAt ? user.expiresAt * 1000 : now + VERIFIED_TTL_MS;
    this.verified.set(token, { user, until: Math.min(expiresAtMs, now + VERIFIED_TTL_MS) });
    return user;
  }

  private async verifySignature(token: string): Promise<AuthenticatedUser> {
    if (!token || token.length > 8_192) throw unauthenticated('Not signed in: no valid token was sent.');
    const kid = readKid(token);
    const cacheMs = this.options.cacheMs ?? 60_000;
    const minRefetch = this.options.minRefetchIntervalMs ?? 1_000;
    const age = Date.now() - this.fetchedAt;
    if (!this.keySet || age > cacheMs || (kid && !this.knownKids.has(kid) && age >= minRefetch)) {
      await this.refresh();
    }
    try {
      const { payload } = await jwtVerify(token, this.keySet!, { algorithms: ['ES256'], issuer: 'parley' });
      const id = typeof payload.sub === 'string' ? payload.sub : undefined;
      const role = payload.role;
      if (!id || (role !== 'admin' && role !== 'user' && role !== 'pending')) {
        throw unauthenticated('The token does not name a user.');
      }
      const issuedAtMs = typeof payload.iat_ms === 'number' ? payload.iat_ms : (payload.iat ?? 0) * 1000;
      return { id, role, tokenId: payload.jti, expiresAt: payload.exp, issuedAtMs };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      if (error instanceof joseErrors.JWTExpired)
        throw unauthenticated('Your session has expired; sign in again.');
      throw unauthenticated('The token is not valid; sign in again.');
    }
  }

  private refresh(): Promise<void> {
    this.inflight ??= (async () => {
      try {
        const jwks = await this.options.fetchJwks();
        this.keySet = createLocalJWKSet(jwks);
        this.knownKids = new Set(jwks.keys.map((key) => key.kid).filter((kid): kid is string => !!kid));
        this.fetchedAt = Date.now();
      } catch (error) {
        // With a cached key set we keep verifying; without one nobody can be let in.
        if (!this.keySet) {
          throw error instanceof DomainError
            ? error
            : new DomainError(
                ErrorKind.Unavailable,
                'Sign-in cannot be checked right now; try again shortly.',
              );
        }
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}

function readKid(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
      kid?: unknown;
    };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

function unauthenticated(message: string): DomainError {
  return new DomainError(ErrorKind.Unauthenticated, message);
}
