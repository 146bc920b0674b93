import { DomainError, ErrorKind } from '@parley/errors';
import type { Caller, UserCaller } from '@parley/grpc';

/**
 * The user a call acts for, from its verified caller assertion (CallContext.caller), never from the
 * request message. It is also what a chat task stores, so whichever copy runs, finishes or sweeps the
 * task acts for the same user with the same rights.
 */
export interface ActingUser {
  userId: string;
  role: 'admin' | 'user' | 'pending';
  /** The user's groups: preset access control and group quotas. */
  groupIds: string[];
  /** Effective permission names (`workspace.models`, ...), as the edge resolved them from auth. */
  permissions: string[];
}

/**
 * Only the edges (gateway, realtime) call the model gateway, always for a signed-in user: a service
 * caller (work that acts for nobody) has nothing to ask here, and a user still waiting for approval may
 * not use models yet. Both are refused with PERMISSION_DENIED.
 */
export function actingUser(caller: Caller): ActingUser {
  if (caller.kind !== 'user')
    throw new DomainError(
      ErrorKind.PermissionDenied,
      `The model gateway answers users only; the service "${caller.service}" may not call this method.`,
    );
  if (caller.role === 'pending')
    throw new DomainError(
      ErrorKind.PermissionDenied,
      'Your account is waiting for an administrator to approve it.',
    );
  return {
    userId: caller.userId,
    role: caller.role,
    groupIds: [...caller.groupIds],
    permissions: [...caller.permissions],
  };
}

/** The acting user, who must be an administrator (connections, usage and limits). */
export function actingAdmin(caller: Caller): ActingUser {
  const user = actingUser(caller);
  if (user.role !== 'admin')
    throw new DomainError(ErrorKind.PermissionDenied, 'This action needs an administrator.');
  return user;
}

/** Refuses a user without the permission; admins have every permission. */
export function requirePermission(user: ActingUser, permission: string): void {
  if (user.role === 'admin' || user.permissions.includes(permission)) return;
  throw new DomainError(
    ErrorKind.PermissionDenied,
    `You do not have the permission "${permission}"; ask an administrator.`,
  );
}

/** The acting user as the caller of an outgoing call (a chat task's stored user, a completion's user). */
export function userCallOptions(user: ActingUser): { caller: UserCaller } {
  return {
    caller: {
      kind: 'user',
      userId: user.userId,
      role: user.role,
      groupIds: user.groupIds,
      permissions: new Set(user.permissions),
    },
  };
}
