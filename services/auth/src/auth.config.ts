import { sessionCookieEnv } from '@parley/auth-guard';
import { databaseEnv } from '@parley/database';
import { redisEnv } from '@parley/redis';
import { commonServiceEnv, env, sensitive, z } from '@parley/config';
import { natsEnv } from '@parley/nats';

/** Every variable the auth service reads. Names follow Open WebUI where it has one. */
export const authConfigSchema = z.object({
  HTTP_PORT: env.port(8081),
  GRPC_PORT: env.port(50051),
  ...databaseEnv(),
  ...natsEnv(),
  /** Token revocation lives here, shared with the gateway and realtime copies. */
  ...redisEnv(),
  /** Encrypts the private signing keys at rest. Required: without it nothing can be signed safely. */
  WEBUI_SECRET_KEY: sensitive(
    z
      .string({ required_error: 'is required (a long random string)' })
      .min(16, 'must be at least 16 characters'),
  ),
  /** Lifetime of access tokens, Open WebUI's format: 30m, 12h, 7d, 4w. */
  JWT_EXPIRES_IN: z
    .string()
    .regex(/^\d+(ms|s|m|h|d|w)$/, 'must be a duration like 30m, 12h or 7d')
    .default('1d'),
  /** How long one signing key signs before a new one takes over (the old one still verifies). */
  SIGNING_KEY_ROTATION_INTERVAL: z
    .string()
    .regex(/^\d+(ms|s|m|h|d|w)$/, 'must be a duration like 12h, 30d or 4w')
    .default('30d'),
  ENABLE_SIGNUP: env.bool(true),
  /**
   * Open WebUI's WEBUI_AUTH: false is single-user mode, one admin account (admin@localhost) signed in
   * with no form. Only for an installation with no other account: creating a second one is refused, and
   * so is the password-less sign-in once several exist (docs/from-open-webui.md).
   */
  WEBUI_AUTH: env.bool(true),
  DEFAULT_USER_ROLE: env.oneOf(['pending', 'user', 'admin'], 'pending'),
  PASSWORD_MIN_LENGTH: env.int(8, { min: 6, max: 128 }),
  /** Users may create API keys (Open WebUI's switch). */
  ENABLE_API_KEY: env.bool(true),
  USERS_PAGE_SIZE: env.int(30, { min: 1, max: 500 }),
  /**
   * Multi-region (PARLEY_REGION set): how often each auth copy reads the revocations other regions wrote
   * to the shared database and applies them to this region's Redis (docs/multi-region.md).
   */
  REVOCATION_RELAY_INTERVAL_MS: env.int(500, { min: 50, max: 60_000 }),
  /** LDAP sign-in, Open WebUI's variables. */
  ENABLE_LDAP: env.bool(false),
  LDAP_SERVER_HOST: z.string().default('localhost'),
  LDAP_SERVER_PORT: env.port(389),
  LDAP_USE_TLS: env.bool(false),
  LDAP_CA_CERT_FILE: z.string().optional(),
  LDAP_APP_DN: z.string().default(''),
  LDAP_APP_PASSWORD: sensitive(z.string().default('')),
  LDAP_SEARCH_BASE: z.string().default(''),
  LDAP_ATTRIBUTE_FOR_USERNAME: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must be an attribute name like uid')
    .default('uid'),
  LDAP_ATTRIBUTE_FOR_MAIL: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must be an attribute name like mail')
    .default('mail'),
  /** Extra LDAP filter the entry must match, e.g. (memberOf=cn=chat,ou=groups,dc=example,dc=com). */
  LDAP_SEARCH_FILTERS: z.string().default(''),
  /** OpenID Connect sign-in, Open WebUI's variables; on when OPENID_PROVIDER_URL is set. */
  OPENID_PROVIDER_URL: env.url(['http', 'https']).optional(),
  OAUTH_CLIENT_ID: z.string().default(''),
  OAUTH_CLIENT_SECRET: sensitive(z.string().default('')),
  OAUTH_SCOPES: z.string().default('openid email profile'),
  OAUTH_PROVIDER_NAME: z.string().default('SSO'),
  /**
   * The callback URL registered at the provider, e.g. https://chat.example.com/oauth/oidc/callback. Unset:
   * WEBUI_URL's /oauth/oidc/callback, or (neither set) the host the sign-in request came to.
   */
  OPENID_REDIRECT_URI: env.url(['http', 'https']).optional(),
  /** Where users reach this installation (Open WebUI's name), e.g. https://chat.example.com. */
  WEBUI_URL: env.url(['http', 'https']).optional(),
  ENABLE_OAUTH_SIGNUP: env.bool(false),
  OAUTH_MERGE_ACCOUNTS_BY_EMAIL: env.bool(false),
  OAUTH_EMAIL_CLAIM: z.string().default('email'),
  OAUTH_USERNAME_CLAIM: z.string().default('name'),
  ENABLE_OAUTH_ROLE_MANAGEMENT: env.bool(false),
  OAUTH_ROLES_CLAIM: z.string().default('roles'),
  OAUTH_ALLOWED_ROLES: z.string().default('user,admin'),
  OAUTH_ADMIN_ROLES: z.string().default('admin'),
  ENABLE_OAUTH_GROUP_MANAGEMENT: env.bool(false),
  OAUTH_GROUPS_CLAIM: z.string().default('groups'),
  ENABLE_OAUTH_GROUP_CREATION: env.bool(false),
  /** Set when an SSO proxy in front of Parley names the user in this header (Open WebUI's variable). */
  WEBUI_AUTH_TRUSTED_EMAIL_HEADER: z.string().optional(),
  /**
   * Open WebUI's SHOW_ADMIN_DETAILS and ADMIN_EMAIL: whom the waiting screen of a pending user names as
   * the administrator to ask (ADMIN_EMAIL's account, else the first admin); off: nobody is named.
   */
  SHOW_ADMIN_DETAILS: env.bool(true),
  ADMIN_EMAIL: z.string().max(254).optional(),
  /** What every user may do before groups widen it (Open WebUI's USER_PERMISSIONS_* variables). */
  USER_PERMISSIONS_CHAT_DELETE: env.bool(true),
  USER_PERMISSIONS_CHAT_EDIT: env.bool(true),
  USER_PERMISSIONS_CHAT_SHARE: env.bool(true),
  USER_PERMISSIONS_CHAT_EXPORT: env.bool(true),
  USER_PERMISSIONS_CHAT_FILE_UPLOAD: env.bool(true),
  USER_PERMISSIONS_CHAT_TEMPORARY: env.bool(true),
  USER_PERMISSIONS_WORKSPACE_MODELS_ACCESS: env.bool(false),
  USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ACCESS: env.bool(false),
  USER_PERMISSIONS_WORKSPACE_PROMPTS_ACCESS: env.bool(false),
  ...sessionCookieEnv(),
  ...commonServiceEnv(),
});

export type AuthConfig = z.infer<typeof authConfigSchema>;
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export function durationMs(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}
