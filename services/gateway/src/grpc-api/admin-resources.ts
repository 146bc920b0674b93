import type { MessageInitShape } from '@bufbuild/protobuf';
import type { UserRole as RoleName } from '@parley/auth-guard';
import { apiV1Admin, authV1, usageV1 } from '@parley/proto';
import { roleName, roleValue } from '../auths/user-json';
import { groupForm } from '../groups/groups.contract';
import { groupUpdateOf } from '../groups/group-update';
import { invalidArgument, requireText } from './request-checks';

type UserInit = MessageInitShape<typeof apiV1Admin.UserSchema>;
type GroupInit = MessageInitShape<typeof apiV1Admin.GroupSchema>;
type LimitInit = MessageInitShape<typeof apiV1Admin.UsageLimitSchema>;

const { UserRole, LimitSubject } = apiV1Admin;

const PUBLIC_ROLES: Record<RoleName, apiV1Admin.UserRole> = {
  pending: UserRole.PENDING,
  user: UserRole.USER,
  admin: UserRole.ADMIN,
};
const ROLE_NAMES = new Map<apiV1Admin.UserRole, RoleName>(
  Object.entries(PUBLIC_ROLES).map(([name, role]) => [role, name as RoleName]),
);

/** A public role as the auth service's; `undefined` for USER_ROLE_UNSPECIFIED (and unknown numbers). */
export function internalRole(role: apiV1Admin.UserRole): authV1.Role | undefined {
  const name = ROLE_NAMES.get(role);
  return name === undefined ? undefined : roleValue(name);
}

/** The auth service's user as a public resource (the REST routes' role names, as enum values). */
export function userResource(user: authV1.User | undefined): UserInit {
  return {
    name: `users/${user?.id ?? ''}`,
    id: user?.id ?? '',
    email: user?.email ?? '',
    displayName: user?.name ?? '',
    role: PUBLIC_ROLES[roleName(user?.role ?? authV1.Role.UNSPECIFIED)],
    profileImageUrl: user?.profileImageUrl ?? '',
    createTime: user?.createdAt ?? 0n,
    updateTime: user?.updatedAt ?? 0n,
  };
}

export function groupResource(group: authV1.Group | undefined): GroupInit {
  return {
    name: `groups/${group?.id ?? ''}`,
    id: group?.id ?? '',
    displayName: group?.name ?? '',
    description: group?.description ?? '',
    permissions: { ...(group?.permissions ?? {}) },
    memberIds: [...(group?.userIds ?? [])],
    createTime: group?.createdAt ?? 0n,
    updateTime: group?.updatedAt ?? 0n,
  };
}

/** The REST form's fields under their public names, for the messages of refused input. */
const PUBLIC_GROUP_FIELDS: Record<string, string> = {
  name: 'display_name',
  description: 'description',
  permissions: 'permissions',
  user_ids: 'member_ids',
};
export const GROUP_MASK_PATHS = ['display_name', 'description', 'permissions', 'member_ids'] as const;
type GroupMaskPath = (typeof GROUP_MASK_PATHS)[number];

/**
 * The fields of a public group that `paths` names, checked by the REST route's own form (the same
 * limits on both edges), as the auth service's group changes.
 */
export function groupChanges(
  group: apiV1Admin.Group,
  paths: readonly GroupMaskPath[],
): ReturnType<typeof groupUpdateOf> {
  const has = (path: GroupMaskPath) => paths.includes(path);
  if (has('display_name')) requireText('group.display_name', group.displayName.trim(), 100);
  const form = groupForm.partial().safeParse({
    ...(has('display_name') ? { name: group.displayName.trim() } : {}),
    ...(has('description') ? { description: group.description } : {}),
    ...(has('permissions') ? { permissions: group.permissions } : {}),
    ...(has('member_ids') ? { user_ids: group.memberIds } : {}),
  });
  if (!form.success) {
    const issue = form.error.issues[0]!;
    const [first, ...rest] = issue.path;
    const field = `group.${PUBLIC_GROUP_FIELDS[String(first)] ?? String(first)}${rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}`;
    throw invalidArgument(field, issue.message);
  }
  return groupUpdateOf(form.data);
}

/** The paths of an UpdateGroup mask, each one that may change. */
export function groupMaskPaths(paths: readonly string[]): GroupMaskPath[] {
  if (!paths.length)
    throw invalidArgument(
      'update_mask',
      `is required (the fields to change: ${GROUP_MASK_PATHS.join(', ')})`,
    );
  for (const path of paths)
    if (!(GROUP_MASK_PATHS as readonly string[]).includes(path))
      throw invalidArgument(
        'update_mask',
        `"${path.slice(0, 100)}" cannot be changed (only ${GROUP_MASK_PATHS.join(', ')})`,
      );
  return [...new Set(paths)] as GroupMaskPath[];
}

const SUBJECTS: Record<usageV1.LimitSubject, apiV1Admin.LimitSubject> = {
  [usageV1.LimitSubject.UNSPECIFIED]: LimitSubject.UNSPECIFIED,
  [usageV1.LimitSubject.USER]: LimitSubject.USER,
  [usageV1.LimitSubject.GROUP]: LimitSubject.GROUP,
};

export function limitResource(limit: usageV1.UsageLimit): LimitInit {
  return {
    subject: SUBJECTS[limit.subject] ?? LimitSubject.UNSPECIFIED,
    subjectId: limit.subjectId,
    requestsPerMinute: limit.requestsPerMinute,
    tokensPerDay: limit.tokensPerDay,
    updateTime: limit.updatedAt,
  };
}

const MAX_REQUESTS_PER_MINUTE = 1_000_000;
const MAX_TOKENS_PER_DAY = 1_000_000_000_000n;

/** A limit to set, as the usage service's request, with the same bounds as the REST route. */
export function limitInput(
  limit: apiV1Admin.UsageLimit | undefined,
): MessageInitShape<typeof usageV1.SetUsageLimitRequestSchema> {
  if (!limit) throw invalidArgument('limit', 'is required');
  const subject =
    limit.subject === LimitSubject.USER
      ? usageV1.LimitSubject.USER
      : limit.subject === LimitSubject.GROUP
        ? usageV1.LimitSubject.GROUP
        : undefined;
  if (subject === undefined)
    throw invalidArgument('limit.subject', 'must be LIMIT_SUBJECT_USER or LIMIT_SUBJECT_GROUP');
  const subjectId = requireText('limit.subject_id', limit.subjectId, 64);
  const rpm = limit.requestsPerMinute;
  if (rpm !== undefined && (rpm < 0 || rpm > MAX_REQUESTS_PER_MINUTE))
    throw invalidArgument('limit.requests_per_minute', `must be 0 to ${MAX_REQUESTS_PER_MINUTE}`);
  const tokens = limit.tokensPerDay;
  if (tokens !== undefined && (tokens < 0n || tokens > MAX_TOKENS_PER_DAY))
    throw invalidArgument('limit.tokens_per_day', `must be 0 to ${MAX_TOKENS_PER_DAY}`);
  return { subject, subjectId, requestsPerMinute: rpm, tokensPerDay: tokens };
}

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** An optional YYYY-MM-DD filter. */
export function dayFilter(field: string, value: string): string {
  if (value && !DAY.test(value)) throw invalidArgument(field, 'must be a day as YYYY-MM-DD');
  return value;
}
