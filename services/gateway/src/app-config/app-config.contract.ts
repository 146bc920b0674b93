import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

const tags = ['config'] as const;

export const appConfig = z
  .object({
    status: z.boolean(),
    name: z.string(),
    version: z.string().openapi({ description: "Parley's version (Open WebUI's field)" }),
    onboarding: z.boolean(),
    oauth: z.object({ providers: z.record(z.string()) }),
    features: z.object({
      auth: z.boolean(),
      auth_trusted_header: z.boolean(),
      enable_signup: z.boolean(),
      enable_login_form: z.boolean(),
      enable_ldap: z.boolean(),
      enable_api_key: z.boolean(),
      enable_websocket: z.boolean(),
      /** Signed in only, as Open WebUI. */
      enable_community_sharing: z.boolean().optional(),
      enable_message_rating: z.boolean().optional(),
    }),
    /** Upload limits (null: none): the largest file in MB and the most files per message. */
    file: z.object({ max_size: z.number().nullable(), max_count: z.number().int().nullable() }),
    /** Signed in only, as Open WebUI: the model(s) a new chat starts with, comma separated. */
    default_models: z.string().optional(),
    default_prompt_suggestions: z
      .array(z.object({ title: z.array(z.string()), content: z.string() }))
      .optional(),
    /** Signed in (pending users too): what the waiting screen and answers show (admin settings). */
    ui: z
      .object({
        pending_user_overlay_title: z.string().nullable(),
        pending_user_overlay_content: z.string().nullable(),
        response_watermark: z.string().nullable(),
      })
      .optional(),
    /** Admins only: how many accounts there are. */
    user_count: z.number().int().optional(),
  })
  .openapi('AppConfig');

const version = z.object({ version: z.string() }).openapi('AppVersion');

export const appConfigContract = defineRoutes({
  config: defineRoute({
    method: 'get',
    path: '/api/config',
    summary: 'What the sign-in screen shows (sign-in methods, first visit); more once signed in',
    tags,
    auth: 'public',
    responses: { 200: { description: 'The configuration', schema: appConfig } },
  }),
  version: defineRoute({
    method: 'get',
    path: '/api/version',
    summary: "Parley's version",
    tags,
    auth: 'public',
    responses: { 200: { description: 'The version', schema: version } },
  }),
  changelog: defineRoute({
    method: 'get',
    path: '/api/changelog',
    summary: "Release notes by version (Open WebUI's shape); Parley ships them in its release, so empty",
    tags,
    auth: 'public',
    responses: { 200: { description: 'Release notes by version', schema: z.record(z.unknown()) } },
  }),
  versionUpdates: defineRoute({
    method: 'get',
    path: '/api/version/updates',
    summary: 'The running and the latest version; Parley never asks the internet, so they are the same',
    tags,
    auth: 'user',
    responses: {
      200: {
        description: 'Both versions',
        schema: z.object({ current: z.string(), latest: z.string() }).openapi('VersionUpdates'),
      },
    },
  }),
});
