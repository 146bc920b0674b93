import {
  actingAdmin as sharedActingAdmin,
  actingUser as sharedActingUser,
  type Caller,
  type CallContext,
  type UserCaller,
} from '@parley/grpc';
import { DomainError, ErrorKind } from '@parley/errors';
import type { FileRow } from './files.repository';

export const fileNotFound = () =>
  new DomainError(ErrorKind.NotFound, 'File not found.', { code: 'FILE_NOT_FOUND' });

/** A signed-in, admitted user; service callers and pending users are refused (libs/grpc). */
export function actingUser(call: CallContext): UserCaller {
  return sharedActingUser(call.caller, 'files');
}

export function actingAdmin(call: CallContext): UserCaller {
  return sharedActingAdmin(call.caller, 'files');
}

export function actingService(call: CallContext): void {
  if (call.caller.kind !== 'service')
    throw new DomainError(ErrorKind.PermissionDenied, 'Only a service may call this method.');
}

/**
 * The file if the caller may read it: its owner, an admin, or (where `services` allows it) a service
 * caller. Anyone else gets the same NOT_FOUND as for an id that does not exist.
 */
export function readableBy(
  caller: Caller,
  row: FileRow | null,
  { services = false }: { services?: boolean } = {},
): FileRow {
  if (!row) throw fileNotFound();
  if (caller.kind === 'service') {
    if (services) return row;
    throw new DomainError(ErrorKind.PermissionDenied, 'Only a signed-in user may call this method.');
  }
  if (caller.role === 'pending')
    throw new DomainError(
      ErrorKind.PermissionDenied,
      'Your account is waiting for an administrator to approve it.',
    );
  if (row.userId === caller.userId || caller.role === 'admin') return row;
  throw fileNotFound();
}
