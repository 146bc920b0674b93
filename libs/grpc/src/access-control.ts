import { DomainError, ErrorKind } from '@parley/errors';

/**
 * Open WebUI's access_control on shared things (presets, knowledge bases): null = public (everyone
 * reads); otherwise the owner, admins, and the listed users and groups (`read` to use, `write` to
 * change; who may write may also read).
 */
export interface AccessRule {
  group_ids: string[];
  user_ids: string[];
}
export interface AccessControl {
  read: AccessRule;
  write: AccessRule;
}

/** Who asks, as access control sees them. */
export interface Accessor {
  userId: string;
  role: string;
  groupIds?: readonly string[];
}

export interface Owned {
  userId: string;
  accessControl: AccessControl | null;
}

const inRule = (who: Accessor, rule: AccessRule | undefined): boolean =>
  !!rule &&
  (rule.user_ids.includes(who.userId) || (who.groupIds ?? []).some((g) => rule.group_ids.includes(g)));

/** May change and delete: admins, the owner, and the users and groups in `write`. */
export function canWrite(who: Accessor, thing: Owned): boolean {
  return who.role === 'admin' || thing.userId === who.userId || inRule(who, thing.accessControl?.write);
}

/** May see and use: `bypass` (an installation-wide override), public things, writers, and `read`. */
export function canRead(who: Accessor, thing: Owned, bypass = false): boolean {
  if (bypass || thing.accessControl === null) return true;
  return canWrite(who, thing) || inRule(who, thing.accessControl.read);
}

/** Refuses (INVALID_ARGUMENT) a rule naming more than 5000 users and groups. */
export function checkAccessControlSize(ac: AccessControl | null): void {
  if (ac && [ac.read, ac.write].some((r) => r.group_ids.length + r.user_ids.length > 5_000))
    throw new DomainError(
      ErrorKind.InvalidArgument,
      'access_control may list at most 5000 users and groups per rule.',
    );
}

/** Normalises stored or received JSON into the full shape (missing lists read as empty). */
export function toAccessControl(value: unknown): AccessControl | null {
  if (value === null || value === undefined) return null;
  const v = value as { read?: Partial<AccessRule>; write?: Partial<AccessRule> };
  const rule = (r: Partial<AccessRule> | undefined): AccessRule => ({
    group_ids: [...new Set(r?.group_ids ?? [])],
    user_ids: [...new Set(r?.user_ids ?? [])],
  });
  return { read: rule(v.read), write: rule(v.write) };
}

/** The proto form both contracts use (`AccessControl { read, write: AccessRule { group_ids, user_ids } }`). */
interface AccessRuleMessage {
  groupIds: readonly string[];
  userIds: readonly string[];
}
interface AccessControlMessage {
  read?: AccessRuleMessage;
  write?: AccessRuleMessage;
}

/** A received proto access_control (unset: public) in the JSON shape. */
export function accessControlFromProto(message: AccessControlMessage | undefined): AccessControl | null {
  if (!message) return null;
  const rule = (r: AccessRuleMessage | undefined) => ({
    group_ids: [...(r?.groupIds ?? [])],
    user_ids: [...(r?.userIds ?? [])],
  });
  return toAccessControl({ read: rule(message.read), write: rule(message.write) });
}

/** The JSON shape as the proto message (null: unset, public). */
export function accessControlToProto(
  access: AccessControl | null,
):
  | { read: { groupIds: string[]; userIds: string[] }; write: { groupIds: string[]; userIds: string[] } }
  | undefined {
  if (!access) return undefined;
  const rule = (r: AccessRule) => ({ groupIds: [...r.group_ids], userIds: [...r.user_ids] });
  return { read: rule(access.read), write: rule(access.write) };
}
