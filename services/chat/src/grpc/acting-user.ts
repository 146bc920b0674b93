import type { CallContext, UserCaller } from '@parley/grpc';
import { DomainError, ErrorKind } from '@parley/errors';

/** The chat permissions a method may need (Open WebUI's names, from the user's groups). */
export type ChatPermission = 'chat.delete' | 'chat.export' | 'chat.share' | 'chat.edit';

/**
 * The user a call acts for, from its verified caller assertion. Chats belong to users, so a service
 * caller (acting for nobody) and a pending user (not yet admitted) may do nothing here; with a
 * permission named, the user must hold it (admins hold every permission, as auth resolves them).
 */
export function actingUser(call: CallContext, permission?: ChatPermission): UserCaller {
  const { caller } = call;
  if (caller.kind !== 'user')
    throw new DomainError(
      ErrorKind.PermissionDenied,
      `The chat service acts only for a signed-in user; the service "${caller.service}" may not call it.`,
    );
  if (caller.role === 'pending')
    throw new DomainError(
      ErrorKind.PermissionDenied,
      'Your account is waiting for an administrator to approve it.',
    );
  if (permission && !caller.permissions.has(permission))
    throw new DomainError(
      ErrorKind.PermissionDenied,
      `You do not have the permission "${permission}"; ask an administrator.`,
    );
  return caller;
}
