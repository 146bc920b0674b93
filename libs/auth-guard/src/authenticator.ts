import { DomainError, ErrorKind } from '@parley/errors';
import type { RevocationList } from './revocation';
import type { AuthenticatedUser, TokenVerifier } from './token-verifier';

/** Turns the credential a request carries into a user, or throws Unauthenticated. */
export interface Authenticator {
  authenticate(credential: string, request: { path: string }): Promise<AuthenticatedUser>;
}

export const AUTHENTICATOR = Symbol.for('parley.authenticator');

/** Access tokens: signature and expiry checked locally, then the shared revocation list. */
export class TokenAuthenticator implements Authenticator {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly revocations?: RevocationList,
  ) {}

  async authenticate(token: string): Promise<AuthenticatedUser> {
    const user = await this.verifier.verify(token);
    if (this.revocations && (await this.revocations.isRevoked(user))) {
      throw new DomainError(
        ErrorKind.Unauthenticated,
        'This session has ended (signed out or changed); sign in again.',
      );
    }
    return user;
  }
}
