import { DomainError, ErrorKind } from '@parley/errors';
import type { CallContext, UserCaller } from '@parley/grpc';

/**
 * Who may call which AuthService method (the proto comments name each method's rule). The caller
 * comes from the verified assertion only; a rule that does not hold is PERMISSION_DENIED.
 */
export const callerRules = {
  /** An edge acting for nobody yet: sign-ins, API key and caller profile lookups. */
  service(call: CallContext): void {
    if (call.caller.kind !== 'service')
      throw denied('This call is for the edge services, not for a signed-in user.');
  },

  /** A signed-in user acting on their own account; pending users only where `pending` allows. */
  self(call: CallContext, { pending = false } = {}): UserCaller {
    const { caller } = call;
    if (caller.kind !== 'user') throw denied('This call acts for a signed-in user; no user was named.');
    if (caller.role === 'pending' && !pending)
      throw denied('Your account is waiting for an administrator to approve it.');
    return caller;
  },

  admin(call: CallContext): UserCaller {
    const caller = callerRules.self(call);
    if (caller.role !== 'admin') throw denied('This action needs an administrator.');
    return caller;
  },

  /** A service, the user themself (pending too), or an admin. */
  serviceSelfOrAdmin(call: CallContext, userId: string): void {
    const { caller } = call;
    if (caller.kind === 'service' || caller.userId === userId || caller.role === 'admin') return;
    // Another user's account: answer as if it did not exist.
    throw new DomainError(ErrorKind.NotFound, 'No such user.');
  },
};

function denied(message: string): DomainError {
  return new DomainError(ErrorKind.PermissionDenied, message);
}
