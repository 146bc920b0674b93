import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

export const appConfig = z
  .object({
    status: z.boolean(),
    name: z.string(),
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
    }),
  })
  .openapi('AppConfig');

export const appConfigContract = defineRoutes({
  config: defineRoute({
    method: 'get',
    path: '/api/config',
    summary: 'What the sign-in screen shows (sign-in methods, first visit)',
    tags: ['config'],
    auth: 'public',
    responses: { 200: { description: 'The configuration', schema: appConfig } },
  }),
});
