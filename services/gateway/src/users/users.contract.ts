import { sessionUser } from '../auths/auths.contract';
import { ok, pageNumber, text } from '../contract/common-schemas';
import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

const tags = ['users'] as const;
const userId = z.object({ id: z.string() });
const settings = z
  .object({
    ui: z
      .object({ models: z.array(z.string()).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough()
  .openapi('UserSettings', {
    description: 'Open WebUI\'s shape: `{ "ui": { ... } }`; `{}` until saved.',
  });

export const usersContract = defineRoutes({
  list: defineRoute({
    method: 'get',
    path: '/api/v1/users/',
    summary: 'Users matching a query, a page at a time (admin)',
    tags,
    auth: 'admin',
    query: z.object({
      query: z.string().max(200, 'must be at most 200 characters').default(''),
      page: pageNumber.default(1),
    }),
    responses: {
      200: {
        description: 'A page of users and how many match in all',
        schema: z.object({ users: z.array(sessionUser), total: z.number().int() }).openapi('UserPage'),
      },
    },
  }),
  permissions: defineRoute({
    method: 'get',
    path: '/api/v1/users/permissions',
    summary: 'My effective permissions',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The permissions', schema: z.record(z.unknown()) } },
  }),
  settings: defineRoute({
    method: 'get',
    path: '/api/v1/users/user/settings',
    summary: 'My UI settings',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The settings', schema: settings } },
  }),
  updateSettings: defineRoute({
    method: 'post',
    path: '/api/v1/users/user/settings/update',
    summary: 'Replace my UI settings',
    tags,
    auth: 'user',
    body: z.record(z.unknown(), {
      invalid_type_error: 'The settings must be a JSON object.',
      required_error: 'The settings must be a JSON object.',
    }),
    responses: { 200: { description: 'The settings', schema: settings } },
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/v1/users/{id}',
    summary: 'A user (admin)',
    tags,
    auth: 'admin',
    params: userId,
    responses: { 200: { description: 'The user', schema: sessionUser } },
  }),
  update: defineRoute({
    method: 'post',
    path: '/api/v1/users/{id}/update',
    summary: 'Change a user (admin)',
    tags,
    auth: 'admin',
    params: userId,
    body: z.object({
      name: text(255).optional(),
      email: text(254).optional(),
      role: z
        .enum(['admin', 'user', 'pending'], {
          errorMap: () => ({ message: 'must be admin, user or pending' }),
        })
        .optional(),
      password: text(256).optional(),
      profile_image_url: text(2_000_000).optional(),
    }),
    responses: { 200: { description: 'The user', schema: sessionUser } },
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/api/v1/users/{id}',
    summary: 'Delete a user (admin)',
    tags,
    auth: 'admin',
    params: userId,
    responses: { 200: { description: 'Deleted', schema: ok } },
  }),
});
