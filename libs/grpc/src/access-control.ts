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
