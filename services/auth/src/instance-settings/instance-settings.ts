import { z } from 'zod';
import { DomainError, ErrorKind } from '@parley/errors';
import { DEFAULT_PERMISSIONS, defaultPermissions } from '../groups/permissions';
import type { AuthConfig } from '../auth.config';

/**
 * The settings an admin may change at runtime, by Open WebUI's names (docs/runtime-settings.md). The
 * first group is the auth service's own: it applies them, falling back to its environment. The second
 * group is stored here for the services that read them (the gateway today), which fall back to their
 * own environment while no admin has set one.
 */
const bannerSchema = z
  .object({
    id: z.string().min(1).max(100),
    type: z.enum(['info', 'success', 'warning', 'error']),
    title: z.string().max(200).nullish(),
    content: z.string().max(2_000),
    dismissible: z.boolean(),
    timestamp: z.number().int().nonnegative(),
  })
  .strict();

const suggestionSchema = z
  .object({
    title: z.array(z.string().max(200)).max(4),
    content: z.string().min(1).max(4_000),
  })
  .strict();

const permissionsSchema = z
  .record(z.string(), z.boolean())
  .refine((flags) => Object.keys(flags).every((flag) => flag in DEFAULT_PERMISSIONS), {
    message: `names a permission that does not exist (known: ${Object.keys(DEFAULT_PERMISSIONS).join(', ')})`,
  });

const optionalText = (max: number) => z.string().max(max).nullable();

export const AUTH_SETTINGS = {
  ENABLE_SIGNUP: z.boolean(),
  DEFAULT_USER_ROLE: z.enum(['pending', 'user', 'admin']),
  ENABLE_API_KEY: z.boolean(),
  SHOW_ADMIN_DETAILS: z.boolean(),
  USER_PERMISSIONS: permissionsSchema,
};

export const SHARED_SETTINGS = {
  DEFAULT_MODELS: z.string().max(2_000),
  MODEL_ORDER_LIST: z.array(z.string().min(1).max(256)).max(1_000),
  DEFAULT_PROMPT_SUGGESTIONS: z.array(suggestionSchema).max(50),
  BANNERS: z.array(bannerSchema).max(20),
  ENABLE_MESSAGE_RATING: z.boolean(),
  PENDING_USER_OVERLAY_TITLE: optionalText(200),
  PENDING_USER_OVERLAY_CONTENT: optionalText(4_000),
  RESPONSE_WATERMARK: optionalText(1_000),
};

const SCHEMAS: Record<string, z.ZodTypeAny> = { ...AUTH_SETTINGS, ...SHARED_SETTINGS };
export const SETTING_NAMES = Object.keys(SCHEMAS);

export type AuthSettings = { [K in keyof typeof AUTH_SETTINGS]: z.infer<(typeof AUTH_SETTINGS)[K]> };
export type StoredSettings = Record<string, unknown>;

/** The auth service's settings in effect: the stored ones over the environment's. */
export function effectiveAuthSettings(config: AuthConfig, stored: StoredSettings): AuthSettings {
  const env: AuthSettings = {
    ENABLE_SIGNUP: config.ENABLE_SIGNUP,
    DEFAULT_USER_ROLE: config.DEFAULT_USER_ROLE,
    ENABLE_API_KEY: config.ENABLE_API_KEY,
    SHOW_ADMIN_DETAILS: config.SHOW_ADMIN_DETAILS,
    USER_PERMISSIONS: defaultPermissions(config),
  };
  const pick = <K extends keyof AuthSettings>(key: K): AuthSettings[K] => {
    const parsed = AUTH_SETTINGS[key].safeParse(stored[key]);
    return parsed.success ? (parsed.data as AuthSettings[K]) : env[key];
  };
  return {
    ENABLE_SIGNUP: pick('ENABLE_SIGNUP'),
    DEFAULT_USER_ROLE: pick('DEFAULT_USER_ROLE'),
    ENABLE_API_KEY: pick('ENABLE_API_KEY'),
    SHOW_ADMIN_DETAILS: pick('SHOW_ADMIN_DETAILS'),
    // A stored set of defaults names only what the admin changed; the rest keep the environment's.
    USER_PERMISSIONS: { ...env.USER_PERMISSIONS, ...(pick('USER_PERMISSIONS') ?? {}) },
  };
}

const invalid = (message: string) =>
  new DomainError(ErrorKind.InvalidArgument, message, { code: 'INVALID_SETTING' });

/**
 * Checks a change: a JSON object of known settings, each valid (null resets it to the environment's).
 * The messages name the setting and what it must be.
 */
export function parseChanges(changesJson: string): { set: Record<string, unknown>; reset: string[] } {
  if (changesJson.length > 256 * 1024) throw invalid('The settings change is larger than 256 KiB.');
  let changes: unknown;
  try {
    changes = JSON.parse(changesJson);
  } catch {
    throw invalid('The settings change is not JSON.');
  }
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes))
    throw invalid('The settings change must be a JSON object of setting names and values.');
  const set: Record<string, unknown> = {};
  const reset: string[] = [];
  for (const [key, value] of Object.entries(changes)) {
    const schema = Object.hasOwn(SCHEMAS, key) ? SCHEMAS[key] : undefined;
    if (!schema)
      throw invalid(
        `${key.slice(0, 100)} is not a setting that can be changed at runtime (these can: ${SETTING_NAMES.join(', ')}).`,
      );
    // null resets a setting to the environment's, except where null is a value (no overlay title).
    if (value === null && !(schema instanceof z.ZodNullable)) {
      reset.push(key);
      continue;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` (at ${issue.path.join('.')})` : '';
      throw invalid(`${key}${where}: ${issue?.message ?? 'is not valid'}.`);
    }
    set[key] = parsed.data;
  }
  return { set, reset };
}
