import type { Metadata } from '@grpc/grpc-js';
import type { Authenticator, CallerProfiles } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import type { CallAuthenticator, UserCaller } from '@parley/grpc';

/**
 * Who a public gRPC API call is from: its `authorization: Bearer <API key or access token>` metadata,
 * checked by the same authenticator as the REST edge (revocations, API key endpoint restrictions against
 * the method path `/parley.api.v1.ChatService/GetChat`), then the user's caller profile for the calls
 * the gateway makes on their behalf.
 */
export class BearerCallAuthenticator implements CallAuthenticator {
  constructor(
    private readonly credentials: Authenticator,
    private readonly profiles: Pick<CallerProfiles, 'callerOf'>,
  ) {}

  async authenticateCall(metadata: Metadata, method: string): Promise<UserCaller> {
    const header = metadata.get('authorization')[0];
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match)
      throw new DomainError(
        ErrorKind.Unauthenticated,
        'Not signed in: send `authorization: Bearer <API key or access token>` metadata.',
      );
    const user = await this.credentials.authenticate(match[1]!, { path: `/${method}` });
    if (user.role === 'pending')
      throw new DomainError(
        ErrorKind.PermissionDenied,
        'Your account is waiting for an administrator to approve it.',
      );
    return this.profiles.callerOf(user);
  }
}
