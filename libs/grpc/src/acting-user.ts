import { DomainError, ErrorKind } from '@parley/errors';
import type { Caller, UserCaller } from './caller-assertion';

/** User ids are UUIDs (auth makes them); any other id names nobody and owns nothing. */
const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The signed-in, admitted user a call acts for, from its verified caller assertion (never from the
 * request message). A service caller (work that acts for nobody) and a user still waiting for approval
 * are refused with PERMISSION_DENIED; `service` names the answering service in the message.
 */
export function actingUser(caller: Caller, service: string): UserCaller {
  if (caller.kind !== 'user')
    throw new DomainError(
      ErrorKind.PermissionDenied,
      `The ${service} service acts only for a signed-in user; the service "${caller.service}" may not call this method.`,
    );
  if (!USER_ID.test(caller.userId))
    throw new DomainError(ErrorKind.PermissionDenied, 'The caller is not a user of this installation.');
  if (caller.role === 'pending')
    throw new DomainError(
      ErrorKind.PermissionDenied,
      'Your account is waiting for an administrator to approve it.',
    );
  return caller;
}

/** The acting user, who must be an administrator. */
export function actingAdmin(caller: Caller, service: string): UserCaller {
  const user = actingUser(caller, service);
  if (user.role !== 'admin')
    throw new DomainError(ErrorKind.PermissionDenied, 'This action needs an administrator.');
  return user;
}

/** Refuses a user without the permission; admins hold every permission. */
export function requirePermission(user: Pick<UserCaller, 'role' | 'permissions'>, permission: string): void {
  if (user.role === 'admin' || user.permissions.has(permission)) return;
  throw new DomainError(
    ErrorKind.PermissionDenied,
    `You do not have the permission "${permission}"; ask an administrator.`,
  );
}
