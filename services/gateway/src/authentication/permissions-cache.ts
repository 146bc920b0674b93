import { RevocationList } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import type { DownstreamClients } from '../downstream/downstream-clients';

/**
 * Effective permissions per user, from the auth service, kept a few seconds. A group change or a
 * user's role change empties the cache on every copy through the revocation channel, so no stale
 * grant outlives the change.
 */
export class PermissionsCache {
  private readonly cache = new Map<string, { permissions: Record<string, boolean>; at: number }>();

  constructor(
    private readonly downstream: DownstreamClients,
    revocations: RevocationList,
    private readonly cacheMs = 10_000,
  ) {
    revocations.onMessage((message) => {
      if (message.kind === 'permissions' && !message.user_id) this.cache.clear();
      else if (message.user_id) this.cache.delete(message.user_id);
    });
  }

  async of(userId: string): Promise<Record<string, boolean>> {
    const cached = this.cache.get(userId);
    if (cached && Date.now() - cached.at < this.cacheMs) return cached.permissions;
    const { permissions } = await this.downstream.auth.getPermissions({ userId });
    this.cache.set(userId, { permissions, at: Date.now() });
    return permissions;
  }

  async require(userId: string, flag: string): Promise<void> {
    if (!(await this.of(userId))[flag]) {
      throw new DomainError(
        ErrorKind.PermissionDenied,
        `You do not have the permission "${flag}"; ask an administrator.`,
      );
    }
  }
}
