/**
 * Permission flags: Open WebUI's DEFAULT_USER_PERMISSIONS (v0.6), flattened to `section.name`, with its
 * defaults. A user has the defaults, widened by every group they are in (a flag any group grants is
 * granted); an admin has every flag. Clients see them nested again (`permissions.chat.delete`); the
 * gateway's permissions-json.ts does that.
 */
export const DEFAULT_PERMISSIONS: Record<string, boolean> = {
  'workspace.models': false,
  'workspace.knowledge': false,
  'workspace.prompts': false,
  'workspace.tools': false,
  'sharing.public_models': true,
  'sharing.public_knowledge': true,
  'sharing.public_prompts': true,
  'sharing.public_tools': true,
  'chat.controls': true,
  'chat.system_prompt': true,
  'chat.params': true,
  'chat.file_upload': true,
  'chat.delete': true,
  'chat.edit': true,
  'chat.share': true,
  'chat.export': true,
  'chat.stt': true,
  'chat.tts': true,
  'chat.call': true,
  'chat.multiple_models': true,
  'chat.temporary': true,
  'chat.temporary_enforced': false,
  'features.direct_tool_servers': false,
  'features.web_search': true,
  'features.image_generation': true,
  'features.code_interpreter': true,
  'features.notes': true,
};

/** Dot-separated parts that start with a letter (so never `__proto__`): Open WebUI's names. */
const FLAG = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;

export function isPermissionFlag(name: string): boolean {
  return FLAG.test(name) && name.length <= 100;
}

/** The defaults with the operator's USER_PERMISSIONS_* settings applied. */
export function defaultPermissions(config: {
  USER_PERMISSIONS_CHAT_DELETE: boolean;
  USER_PERMISSIONS_CHAT_EDIT: boolean;
  USER_PERMISSIONS_CHAT_SHARE: boolean;
  USER_PERMISSIONS_CHAT_EXPORT: boolean;
  USER_PERMISSIONS_CHAT_FILE_UPLOAD: boolean;
  USER_PERMISSIONS_CHAT_TEMPORARY: boolean;
  USER_PERMISSIONS_WORKSPACE_MODELS_ACCESS?: boolean;
  USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ACCESS?: boolean;
  USER_PERMISSIONS_WORKSPACE_PROMPTS_ACCESS?: boolean;
}): Record<string, boolean> {
  return {
    ...DEFAULT_PERMISSIONS,
    'chat.delete': config.USER_PERMISSIONS_CHAT_DELETE,
    'chat.edit': config.USER_PERMISSIONS_CHAT_EDIT,
    'chat.share': config.USER_PERMISSIONS_CHAT_SHARE,
    'chat.export': config.USER_PERMISSIONS_CHAT_EXPORT,
    'chat.file_upload': config.USER_PERMISSIONS_CHAT_FILE_UPLOAD,
    'chat.temporary': config.USER_PERMISSIONS_CHAT_TEMPORARY,
    'workspace.models': config.USER_PERMISSIONS_WORKSPACE_MODELS_ACCESS ?? false,
    'workspace.knowledge': config.USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ACCESS ?? false,
    'workspace.prompts': config.USER_PERMISSIONS_WORKSPACE_PROMPTS_ACCESS ?? false,
  };
}

export function effectivePermissions(
  role: string,
  groupGrants: Array<Record<string, boolean>>,
  defaults: Record<string, boolean> = DEFAULT_PERMISSIONS,
): Record<string, boolean> {
  const result: Record<string, boolean> = { ...defaults };
  for (const grants of groupGrants)
    for (const [flag, granted] of Object.entries(grants)) if (granted) result[flag] = true;
  if (role === 'admin') for (const flag of Object.keys(result)) result[flag] = true;
  if (role === 'pending') for (const flag of Object.keys(result)) result[flag] = false;
  return result;
}
