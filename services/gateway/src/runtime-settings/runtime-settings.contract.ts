import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';
import { permissionsInput, permissionsOutput } from '../auths/permissions-json';

// Open WebUI's routes for the settings an admin changes at runtime (docs/runtime-settings.md): sign-up and
// roles, default permissions, banners, prompt suggestions, default models and their order. The auth
// service checks and stores them; the messages of a refusal name the setting.

/** Open WebUI's AdminConfig, with Parley's answer for what it has no runtime switch for. */
export const adminConfig = z
  .object({
    SHOW_ADMIN_DETAILS: z.boolean(),
    WEBUI_URL: z.string().openapi({ description: "The auth service's WEBUI_URL; set in the environment" }),
    ENABLE_SIGNUP: z.boolean(),
    ENABLE_API_KEY: z.boolean(),
    ENABLE_API_KEY_ENDPOINT_RESTRICTIONS: z.boolean().openapi({ description: 'Set in the environment' }),
    API_KEY_ALLOWED_ENDPOINTS: z.string().openapi({ description: 'Set in the environment' }),
    DEFAULT_USER_ROLE: z.enum(['pending', 'user', 'admin']),
    JWT_EXPIRES_IN: z.string().openapi({ description: 'Set in the environment' }),
    ENABLE_COMMUNITY_SHARING: z.boolean().openapi({ description: 'Always false: no community site' }),
    ENABLE_MESSAGE_RATING: z.boolean(),
    ENABLE_CHANNELS: z.boolean().openapi({ description: 'Always false: not built' }),
    ENABLE_NOTES: z.boolean().openapi({ description: 'Always false: not built' }),
    ENABLE_USER_WEBHOOKS: z.boolean().openapi({ description: 'Always false: not built' }),
    PENDING_USER_OVERLAY_TITLE: z.string().nullable(),
    PENDING_USER_OVERLAY_CONTENT: z.string().nullable(),
    RESPONSE_WATERMARK: z.string().nullable(),
  })
  .openapi('AdminConfig');

/**
 * What an admin sends: Open WebUI's frontend sends the whole AdminConfig; any part is accepted. Fields
 * the environment sets may be sent with their current value; another value is refused, naming the
 * variable to change instead.
 */
const adminConfigForm = adminConfig
  .partial()
  .extend({ DEFAULT_USER_ROLE: z.string().max(20).optional() })
  .openapi('AdminConfigForm');

export const banner = z
  .object({
    id: z.string(),
    type: z.string(),
    title: z.string().nullish(),
    content: z.string(),
    dismissible: z.boolean(),
    timestamp: z.number().int(),
  })
  .openapi('Banner');

/** Checked by the auth service, which names what is wrong (type, lengths, how many). */
const bannerForm = z.record(z.unknown()).openapi('BannerForm', { type: 'object' });

export const promptSuggestion = z
  .object({ title: z.array(z.string()), content: z.string() })
  .openapi('PromptSuggestion');

const modelsConfig = z
  .object({ DEFAULT_MODELS: z.string().nullable(), MODEL_ORDER_LIST: z.array(z.string()).nullable() })
  .openapi('ModelsConfig');

const admin = 'admin' as const;

export const runtimeSettingsContract = defineRoutes({
  adminConfig: defineRoute({
    method: 'get',
    path: '/api/v1/auths/admin/config',
    summary: 'Sign-up, roles, API keys and the pending-user screen, as they apply now (admin)',
    tags: ['auths'],
    auth: admin,
    responses: { 200: { description: 'The settings', schema: adminConfig } },
  }),
  updateAdminConfig: defineRoute({
    method: 'post',
    path: '/api/v1/auths/admin/config',
    summary: 'Change sign-up, the default role, API keys, ratings, the pending-user screen (admin)',
    description:
      'Applies on every copy within a second and overrides the environment from then on (docs/runtime-settings.md).',
    tags: ['auths'],
    auth: admin,
    body: adminConfigForm,
    responses: { 200: { description: 'The settings after the change', schema: adminConfig } },
  }),
  updateDefaultPermissions: defineRoute({
    method: 'post',
    path: '/api/v1/users/default/permissions',
    summary: 'Change the permissions every user has before groups widen them (admin)',
    description: 'Open WebUI\'s nested shape (`{"chat": {"delete": false}}`); flat names are accepted too.',
    tags: ['users'],
    auth: admin,
    body: permissionsInput,
    responses: { 200: { description: 'The defaults after the change, nested', schema: permissionsOutput } },
  }),
  banners: defineRoute({
    method: 'get',
    path: '/api/v1/configs/banners',
    summary: 'The banners shown above every chat',
    tags: ['configs'],
    auth: 'user',
    responses: { 200: { description: 'The banners', schema: z.array(banner) } },
  }),
  setBanners: defineRoute({
    method: 'post',
    path: '/api/v1/configs/banners',
    summary: 'Replace the banners (admin; at most 20)',
    tags: ['configs'],
    auth: admin,
    body: z.object({ banners: z.array(bannerForm).max(20, 'at most 20 banners') }),
    responses: { 200: { description: 'The banners', schema: z.array(banner) } },
  }),
  setSuggestions: defineRoute({
    method: 'post',
    path: '/api/v1/configs/suggestions',
    summary: 'Replace the prompt suggestions of an empty chat (admin; at most 50)',
    tags: ['configs'],
    auth: admin,
    body: z.object({ suggestions: z.array(z.record(z.unknown())).max(50, 'at most 50 suggestions') }),
    responses: { 200: { description: 'The suggestions', schema: z.array(promptSuggestion) } },
  }),
  modelsConfig: defineRoute({
    method: 'get',
    path: '/api/v1/configs/models',
    summary: 'The default models of a new chat and the order of the model list (admin)',
    tags: ['configs'],
    auth: admin,
    responses: { 200: { description: 'The settings', schema: modelsConfig } },
  }),
  setModelsConfig: defineRoute({
    method: 'post',
    path: '/api/v1/configs/models',
    summary: 'Change the default models of a new chat and the order of the model list (admin)',
    tags: ['configs'],
    auth: admin,
    body: modelsConfig.partial(),
    responses: { 200: { description: 'The settings after the change', schema: modelsConfig } },
  }),
});
