import { DomainError, ErrorKind } from '@parley/errors';
import type { CallContext, UserCaller } from '@parley/grpc';

/** The user a public API call acts for (BearerCallAuthenticator only ever yields users). */
export function userOf(call: CallContext): UserCaller {
  if (call.caller.kind !== 'user')
    throw new DomainError(ErrorKind.PermissionDenied, 'The public API acts for users only.');
  return call.caller;
}
