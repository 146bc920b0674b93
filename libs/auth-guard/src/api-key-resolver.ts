import { authV1 } from '@parley/proto';
import { LRUCache } from 'lru-cache';
import type { RevocationList } from './revocation';
import type { AuthenticatedUser } from './token-verifier';

/**
 * Resolves `sk-` API keys (through the auth service: `lookup`), caching each answer briefly. A key that
 * is replaced or deleted, or whose user is deleted or changes role, is dropped from every copy's
 * cache by the revocation channel at once.
 */
export class ApiKeyResolver {
  private readonly cache = new LRUCache<string, { user: AuthenticatedUser; at: number }>({ max: 10_000 });

  constructor(
    private readonly lookup: (apiKey: string) => Promise<AuthenticatedUser>,
    revocations: RevocationList,
    private readonly cacheMs = 30_000,
  ) {
    revocations.onMessage((message) => {
      if (message.kind !== 'api_key' && message.kind !== 'tokens') return;
      for (const [key, entry] of [...this.cache.entries()])
        if (entry.user.id === message.user_id) this.cache.delete(key);
    });
  }

  async resolve(apiKey: string): Promise<AuthenticatedUser> {
    const cached = this.cache.get(apiKey);
    if (cached && Date.now() - cached.at < this.cacheMs) return cached.user;
    const user = await this.lookup(apiKey);
    this.cache.set(apiKey, { user, at: Date.now() });
    return user;
  }
}

const ROLE_NAMES: Record<number, AuthenticatedUser['role']> = {
  [authV1.Role.ADMIN]: 'admin',
  [authV1.Role.USER]: 'user',
  [authV1.Role.PENDING]: 'pending',
};

/** The lookup every edge uses: the auth service's AuthenticateApiKey, called as the edge's service identity. */
export function apiKeyLookupVia(
  authenticateApiKey: (request: { apiKey: string }) => Promise<authV1.AuthenticateApiKeyResponse>,
): (apiKey: string) => Promise<AuthenticatedUser> {
  return async (apiKey) => {
    const reply = await authenticateApiKey({ apiKey });
    return { id: reply.user!.id, role: ROLE_NAMES[reply.user!.role] ?? 'pending', apiKeyId: reply.keyId };
  };
}
