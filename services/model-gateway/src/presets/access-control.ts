/** Open WebUI's access_control: null = public (everyone reads); otherwise only the listed users and groups. */
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
  groupIds?: string[];
}

interface Owned {
  userId: string;
  accessControl: AccessControl | null;
}

const inRule = (who: Accessor, rule: AccessRule | undefined): boolean =>
  !!rule &&
  (rule.user_ids.includes(who.userId) || (who.groupIds ?? []).some((g) => rule.group_ids.includes(g)));

/** May edit and delete: admins, the owner, and the users and groups in `write`. */
export function canWrite(who: Accessor, preset: Owned): boolean {
  return who.role === 'admin' || preset.userId === who.userId || inRule(who, preset.accessControl?.write);
}

/**
 * May see and call: admins, everyone with BYPASS_MODEL_ACCESS_CONTROL, everyone for a public preset,
 * the owner, and the users and groups in `read` (or `write`: who may edit may also use).
 */
export function canRead(who: Accessor, preset: Owned, bypass: boolean): boolean {
  if (bypass || preset.accessControl === null) return true;
  return canWrite(who, preset) || inRule(who, preset.accessControl.read);
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
