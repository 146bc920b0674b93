import { z } from '@parley/config';

/**
 * Open WebUI's `access_control`, shared by presets and knowledge bases: null (or absent) is public, `{}`
 * or rules with empty lists is private to the owner, `read`/`write` rules name groups and users. The
 * services' protos each have their own AccessRule message of the same shape ({groupIds, userIds}).
 */

const ids = z.array(z.string().min(1, 'must not contain empty ids')).max(5_000, 'must list at most 5000 ids');
const ruleForm = z
  .object({ group_ids: ids.default([]), user_ids: ids.default([]) })
  .strict('may only have group_ids and user_ids');

/** What a client sends; the services check that the groups and users exist where they must. */
export const accessControlForm = z
  .object(
    { read: ruleForm.optional(), write: ruleForm.optional() },
    { invalid_type_error: 'must be null or {read, write}' },
  )
  .strict('may only have read and write')
  .nullable()
  .optional();
export type AccessControlForm = z.infer<typeof accessControlForm>;

/** A list of ids, as the forms and answers carry them. */
export const idList = ids;

interface ProtoRule {
  groupIds: string[];
  userIds: string[];
}

const ruleToProto = (r: { group_ids: string[]; user_ids: string[] } | undefined): ProtoRule => ({
  groupIds: r?.group_ids ?? [],
  userIds: r?.user_ids ?? [],
});

/** The form's access control as a proto AccessControl; undefined (public) for null or absent. */
export function accessControlToProto(form: AccessControlForm) {
  return form ? { read: ruleToProto(form.read), write: ruleToProto(form.write) } : undefined;
}

const ruleJson = (r: ProtoRule | undefined) => ({ group_ids: r?.groupIds ?? [], user_ids: r?.userIds ?? [] });

/** A proto AccessControl in Open WebUI's JSON; null when unset (public). */
export function accessControlJson(ac: { read?: ProtoRule; write?: ProtoRule } | undefined) {
  return ac ? { read: ruleJson(ac.read), write: ruleJson(ac.write) } : null;
}
