import type { UserCaller } from '@parley/grpc';
import { LRUCache } from 'lru-cache';
import type { RevocationList } from './revocation';
import type { AuthenticatedUser } from './token-verifier';

/** What the auth service says about a user, for their caller assertions. */
export interface CallerProfile {
  role: UserCaller['role'];
  groupIds: readonly string[];
  permissions: readonly string[];
}

export interface CallerProfilesOptions {
  /** Asks the auth service (GetCallerProfile, as the edge's service identity). */
  fetch: (userId: string) => Promise<CallerProfile>;
  /** Drops a user's profile (or all, on a group change) on every copy as soon as auth announces it. */
  revocations?: RevocationList;
  /** How long a profile is kept; a lost announcement delays a change by no more than this. */
  maxAgeMs?: number;
  now?: () => number;
}

export const CALLER_PROFILES = Symbol.for('parley.callerProfiles');

/**
 * The edge's view of who a signed-in user is for internal calls: role, groups and permission names from
 * the auth service, kept a few seconds per user (concurrent requests share one fetch). This is the only
 * copy of authorization data an edge keeps; services decide with it, through the caller assertion.
 */
export class CallerProfiles {
  private readonly cache: LRUCache<string, { profile: Promise<CallerProfile>; at: number }>;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private generation = 0;

  constructor(private readonly options: CallerProfilesOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.cache = new LRUCache({ max: 50_000 });
    options.revocations?.onMessage((message) => {
      this.generation++;
      if (message.user_id) this.cache.delete(message.user_id);
      else if (message.kind === 'permissions') this.cache.clear();
    });
  }

  /** The caller a request of this user acts as. */
  async callerOf(user: Pick<AuthenticatedUser, 'id'>): Promise<UserCaller> {
    const profile = await this.profileOf(user.id);
    return {
      kind: 'user',
      userId: user.id,
      role: profile.role,
      groupIds: profile.groupIds,
      permissions: new Set(profile.permissions),
    };
  }

  private profileOf(userId: string): Promise<CallerProfile> {
    const cached = this.cache.get(userId);
    if (cached && this.now() - cached.at < this.maxAgeMs) return cached.profile;
    const generation = this.generation;
    const profile = this.options.fetch(userId);
    const entry = { profile, at: this.now() };
    this.cache.set(userId, entry);
    profile.then(
      // A change announced while this answer was on its way may not be in it: use it once, keep it not.
      () => {
        if (generation !== this.generation && this.cache.get(userId) === entry) this.cache.delete(userId);
      },
      () => {
        if (this.cache.get(userId) === entry) this.cache.delete(userId);
      },
    );
    return profile;
  }
}
