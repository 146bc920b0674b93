import { createHash, hkdfSync } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { DomainError, ErrorKind } from '@parley/errors';

/**
 * Who is asking, as every internal gRPC call carries it: a short-lived signed assertion in the
 * `x-parley-caller` metadata entry, minted by the edge that authenticated the request (gateway,
 * realtime) or by a service acting for nobody (a sweeper, an indexer) under its own service identity.
 * docs/caller-assertion.md explains the scheme, key handling, rotation and clock skew.
 */
export const CALLER_METADATA_KEY = 'x-parley-caller';

export type Caller = UserCaller | ServiceCaller;

export interface UserCaller {
  kind: 'user';
  userId: string;
  role: 'admin' | 'user' | 'pending';
  groupIds: readonly string[];
  /** The permission names the user has (`chat.delete`, ...), already merged from defaults and groups. */
  permissions: ReadonlySet<string>;
}

export interface ServiceCaller {
  kind: 'service';
  /** The calling service's name, e.g. `model-gateway`. */
  service: string;
}

export interface CallerAssertionKeys {
  /** The secrets the keys derive from; the first signs, every one verifies (rotation). */
  secrets: readonly string[];
}

/** Longest lifetime a signer may give an assertion, and the default. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
export const DEFAULT_ASSERTION_LIFETIME_SECONDS = 60;
/** Clocks of two pods may disagree by this much. */
export const CLOCK_SKEW_SECONDS = 5;

interface DerivedKey {
  id: string;
  key: Uint8Array;
}

/** One HMAC key per secret, derived with HKDF so the secret itself never signs anything. */
function deriveKeys({ secrets }: CallerAssertionKeys): DerivedKey[] {
  if (!secrets.length || secrets.some((secret) => secret.length < 16))
    throw new Error('caller assertions need at least one secret of 16 or more characters');
  return secrets.map((secret) => {
    const key = new Uint8Array(hkdfSync('sha256', secret, 'parley', 'parley caller assertion v1', 32));
    return { id: createHash('sha256').update(key).digest('base64url').slice(0, 12), key };
  });
}

interface AssertionClaims {
  iss: string;
  aud: string;
  sub: string;
  role?: UserCaller['role'];
  grp?: string[];
  perm?: string[];
}

export interface CallerSignerOptions extends CallerAssertionKeys {
  /** The service that signs, carried as `iss` (for logs; trust comes from the key). */
  issuer: string;
  lifetimeSeconds?: number;
  /** Seconds since the epoch; injected in tests. */
  now?: () => number;
}

/**
 * Mints assertions. A signed assertion is reused for the same caller and audience while more than half
 * its lifetime is left, so a busy edge signs once per caller and service every half minute, not per call.
 */
export class CallerSigner {
  private readonly key: DerivedKey;
  private readonly lifetime: number;
  private readonly now: () => number;
  private readonly cache = new LRUCache<string, { token: string; renewAt: number }>({ max: 10_000 });

  constructor(private readonly options: CallerSignerOptions) {
    this.key = deriveKeys(options)[0]!;
    this.lifetime = Math.min(
      options.lifetimeSeconds ?? DEFAULT_ASSERTION_LIFETIME_SECONDS,
      MAX_ASSERTION_LIFETIME_SECONDS,
    );
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** The assertion for `caller` calling the service named `audience`. */
  async sign(caller: Caller, audience: string): Promise<string> {
    const claims = toClaims(caller, this.options.issuer, audience);
    const cacheKey = JSON.stringify(claims);
    const now = this.now();
    const cached = this.cache.get(cacheKey);
    if (cached && cached.renewAt > now) return cached.token;
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', kid: this.key.id, typ: 'parley-caller+jwt' })
      .setIssuedAt(now)
      .setExpirationTime(now + this.lifetime)
      .sign(this.key.key);
    this.cache.set(cacheKey, { token, renewAt: now + Math.floor(this.lifetime / 2) });
    return token;
  }
}

function toClaims(caller: Caller, issuer: string, audience: string): AssertionClaims {
  if (caller.kind === 'service') return { iss: issuer, aud: audience, sub: `service:${caller.service}` };
  return {
    iss: issuer,
    aud: audience,
    sub: `user:${caller.userId}`,
    role: caller.role,
    grp: [...caller.groupIds].sort(),
    perm: [...caller.permissions].sort(),
  };
}

export interface CallerVerifierOptions extends CallerAssertionKeys {
  /** This service's name: only assertions minted for it are accepted. */
  audience: string;
  now?: () => number;
}

/** Checks assertions on the receiving side; a verified assertion is remembered until it expires. */
export class CallerVerifier {
  private readonly keys: Map<string, Uint8Array>;
  private readonly now: () => number;
  private readonly cache = new LRUCache<string, { caller: Caller; exp: number }>({ max: 10_000 });

  constructor(private readonly options: CallerVerifierOptions) {
    this.keys = new Map(deriveKeys(options).map(({ id, key }) => [id, key]));
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** The verified caller, or an UNAUTHENTICATED DomainError saying what was wrong. */
  async verify(token: string | undefined): Promise<Caller> {
    if (!token) throw unauthenticated('the call carries no caller assertion');
    const now = this.now();
    const cached = this.cache.get(token);
    if (cached) {
      if (cached.exp + CLOCK_SKEW_SECONDS >= now) return cached.caller;
      this.cache.delete(token);
      throw unauthenticated('the caller assertion has expired');
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, async (header) => this.keyFor(header.kid), {
        algorithms: ['HS256'],
        audience: this.options.audience,
        typ: 'parley-caller+jwt',
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(now * 1000),
        requiredClaims: ['iss', 'sub', 'iat', 'exp'],
      }));
    } catch (error) {
      throw unauthenticated(describeFailure(error));
    }
    const iat = payload.iat as number;
    const exp = payload.exp as number;
    if (exp - iat > MAX_ASSERTION_LIFETIME_SECONDS)
      throw unauthenticated('the caller assertion lives longer than allowed');
    if (iat > now + CLOCK_SKEW_SECONDS) throw unauthenticated('the caller assertion is issued in the future');
    const caller = toCaller(payload);
    this.cache.set(token, { caller, exp });
    return caller;
  }

  private keyFor(kid: string | undefined): Uint8Array {
    const key = kid ? this.keys.get(kid) : undefined;
    if (!key) throw new joseErrors.JWSSignatureVerificationFailed('unknown key');
    return key;
  }
}

function toCaller(payload: Record<string, unknown>): Caller {
  const sub = String(payload.sub);
  if (sub.startsWith('service:')) return { kind: 'service', service: sub.slice('service:'.length) };
  const role = payload.role;
  const strings = (value: unknown) =>
    Array.isArray(value) && value.every((entry) => typeof entry === 'string') ? (value as string[]) : null;
  const groupIds = strings(payload.grp);
  const permissions = strings(payload.perm);
  if (
    !sub.startsWith('user:') ||
    (role !== 'admin' && role !== 'user' && role !== 'pending') ||
    !groupIds ||
    !permissions
  )
    throw unauthenticated('the caller assertion is malformed');
  return {
    kind: 'user',
    userId: sub.slice('user:'.length),
    role,
    groupIds,
    permissions: new Set(permissions),
  };
}

function describeFailure(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the caller assertion has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'aud')
    return 'the caller assertion is for another service';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return 'the caller assertion is not signed with a known key';
  return 'the caller assertion is not valid';
}

function unauthenticated(message: string): DomainError {
  return new DomainError(ErrorKind.Unauthenticated, message);
}

/** The secrets of an installation, from the variables every service reads (signing secret first). */
export function callerSecretsOf(config: {
  CALLER_ASSERTION_SECRET: string;
  CALLER_ASSERTION_PREVIOUS_SECRETS?: string;
}): string[] {
  const previous = (config.CALLER_ASSERTION_PREVIOUS_SECRETS ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
  return [config.CALLER_ASSERTION_SECRET, ...previous];
}

/** The identity of a service acting for nobody (a sweeper, an indexer, a sign-in before anyone is known). */
export function serviceCaller(service: string): ServiceCaller {
  return { kind: 'service', service };
}

/** How a client signs its calls: with this signer, for the service named `audience`. */
export interface CallerSigning {
  signer: CallerSigner;
  audience: string;
}

const signers = new Map<string, CallerSigner>();

/**
 * Signing for a client of a service process: one signer per issuer and secrets in the process (so its
 * cache of signed assertions is shared by all the process's clients), for the service `audience`.
 */
export function callerSigning(
  config: { CALLER_ASSERTION_SECRET: string; CALLER_ASSERTION_PREVIOUS_SECRETS?: string },
  issuer: string,
  audience: string,
): CallerSigning {
  const secrets = callerSecretsOf(config);
  const key = `${issuer}\u0000${secrets[0]}`;
  let signer = signers.get(key);
  if (!signer) signers.set(key, (signer = new CallerSigner({ secrets, issuer })));
  return { signer, audience };
}
