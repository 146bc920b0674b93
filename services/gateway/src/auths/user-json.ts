import type { UserRole } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import { authV1 } from '@parley/proto';

const ROLE_NAMES: Record<number, UserRole> = {
  [authV1.Role.ADMIN]: 'admin',
  [authV1.Role.USER]: 'user',
  [authV1.Role.PENDING]: 'pending',
};
const ROLE_VALUES: Record<string, authV1.Role> = {
  admin: authV1.Role.ADMIN,
  user: authV1.Role.USER,
  pending: authV1.Role.PENDING,
};

export function roleName(role: authV1.Role): UserRole {
  return ROLE_NAMES[role] ?? 'pending';
}

export function roleValue(role: string): authV1.Role {
  const value = ROLE_VALUES[role];
  if (value === undefined)
    throw new DomainError(ErrorKind.InvalidArgument, 'role must be admin, user or pending.');
  return value;
}

/** Open WebUI's user JSON. */
export function userJson(user: authV1.User | undefined) {
  return {
    id: user?.id ?? '',
    email: user?.email ?? '',
    name: user?.name ?? '',
    role: roleName(user?.role ?? authV1.Role.UNSPECIFIED),
    profile_image_url: user?.profileImageUrl ?? '',
    created_at: Number(user?.createdAt ?? 0n),
    updated_at: Number(user?.updatedAt ?? 0n),
    last_active_at: Number(user?.lastActiveAt ?? 0n),
  };
}
