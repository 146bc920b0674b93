import type { Authenticator, TokenAuthenticator } from './authenticator';
import type { AuthenticatedUser } from './token-verifier';
import { DomainError, ErrorKind } from '@parley/errors';
import type { ApiKeyResolver } from './api-key-resolver';

/**
 * Every credential a request may carry: access tokens (cookie or Bearer) and `sk-` API keys (Bearer), the latter
 * optionally limited to listed endpoints (Open WebUI's ENABLE_API_KEY_ENDPOINT_RESTRICTIONS).
 */
export class CredentialAuthenticator implements Authenticator {
  private readonly allowed: Array<{ path: string; prefix: boolean }>;
  private readonly restricted: boolean;

  constructor(
    private readonly tokens: TokenAuthenticator,
    private readonly apiKeys: ApiKeyResolver,
    restrictions: { enabled: boolean; allowedEndpoints: string } = { enabled: false, allowedEndpoints: '' },
  ) {
    this.allowed = restrictions.enabled
      ? restrictions.allowedEndpoints
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
          .map((entry) =>
            entry.endsWith('*')
              ? { path: entry.slice(0, -1), prefix: true }
              : { path: entry.replace(/\/$/, ''), prefix: false },
          )
      : [];
    this.restricted = restrictions.enabled;
  }

  async authenticate(credential: string, request: { path: string }): Promise<AuthenticatedUser> {
    if (!credential.startsWith('sk-')) return this.tokens.authenticate(credential);
    const user = await this.apiKeys.resolve(credential);
    if (this.restricted && !this.isAllowed(request.path)) {
      throw new DomainError(
        ErrorKind.PermissionDenied,
        'This API key may not call this endpoint (API key endpoint restrictions are on).',
      );
    }
    if (user.role === 'pending') {
      throw new DomainError(
        ErrorKind.PermissionDenied,
        'Your account is waiting for an administrator to approve it.',
      );
    }
    return user;
  }

  private isAllowed(path: string): boolean {
    const normalised = path.replace(/\/$/, '');
    return this.allowed.some((entry) =>
      entry.prefix ? path.startsWith(entry.path) : normalised === entry.path,
    );
  }
}
