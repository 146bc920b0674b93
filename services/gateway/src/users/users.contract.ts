import { sessionUser } from '../auths/auths.contract';
import { ok, pageNumber, text } from '../contract/common-schemas';
import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';
import { permissionsOutput } from '../auths/permissions-json';

const tags = ['users'] as const;
const userId = z.object({ id: z.string() });
/** A JSON object body, refused with the message these routes have always answered. */
const objectBody = (what: 'settings' | 'info') => {
  const message = `The ${what} must be a JSON object.`;
  return z.record(z.unknown(), { invalid_type_error: message, required_error: message });
};
const settings = z
  .object({
    ui: z
      .object({ models: z.array(z.string()).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough()
  .openapi('UserSettings', {
    description: 'Open WebUI\'s shape: `{ "ui": { ... } }`.',
  });
const storedSettings = settings.nullable().openapi({ description: 'null until saved (as Open WebUI)' });
const userPage = z.object({ users: z.array(sessionUser), total: z.number().int() }).openapi('UserPage');
const userInfo = z.record(z.unknown()).openapi('UserInfo', {
  description: "Open WebUI's `info`: profile details the user sets themself",
});
const active = z.boolean().openapi({ description: 'Made a request in the last 3 minutes' });
/** Open WebUI's UserResponse: what any signed-in user may see of another. Admins also get the account. */
const userProfile = z
  .object({ name: z.string(), profile_image_url: z.string(), active })
  .merge(sessionUser.omit({ name: true, profile_image_url: true }).partial())
  .openapi('UserProfile');

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
    responses: { 200: { description: 'A page of users and how many match in all', schema: userPage } },
  }),
  all: defineRoute({
    method: 'get',
    path: '/api/v1/users/all',
    summary: 'Every user (admin)',
    tags,
    auth: 'admin',
    responses: { 200: { description: 'Every user and how many there are', schema: userPage } },
  }),
  permissions: defineRoute({
    method: 'get',
    path: '/api/v1/users/permissions',
    summary: 'My effective permissions',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The permissions', schema: permissionsOutput } },
  }),
  defaultPermissions: defineRoute({
    method: 'get',
    path: '/api/v1/users/default/permissions',
    summary: 'The permissions every user has before groups widen them (admin)',
    description:
      'The USER_PERMISSIONS_* variables, then what an admin changed (POST, docs/runtime-settings.md).',
    tags,
    auth: 'admin',
    responses: { 200: { description: 'The defaults, nested', schema: permissionsOutput } },
  }),
  settings: defineRoute({
    method: 'get',
    path: '/api/v1/users/user/settings',
    summary: 'My UI settings',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The settings', schema: storedSettings } },
  }),
  updateSettings: defineRoute({
    method: 'post',
    path: '/api/v1/users/user/settings/update',
    summary: 'Replace my UI settings',
    tags,
    auth: 'user',
    body: objectBody('settings'),
    responses: { 200: { description: 'The settings', schema: settings } },
  }),
  info: defineRoute({
    method: 'get',
    path: '/api/v1/users/user/info',
    summary: 'My profile details (null until set)',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The details', schema: userInfo.nullable() } },
  }),
  updateInfo: defineRoute({
    method: 'post',
    path: '/api/v1/users/user/info/update',
    summary: 'Merge fields into my profile details',
    tags,
    auth: 'user',
    body: objectBody('info'),
    responses: { 200: { description: 'The details after the merge', schema: userInfo } },
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/v1/users/{id}',
    summary: "A user's name, picture and whether they are active (admins: the whole account)",
    tags,
    auth: 'user',
    params: userId,
    responses: { 200: { description: 'The user', schema: userProfile } },
  }),
  active: defineRoute({
    method: 'get',
    path: '/api/v1/users/{id}/active',
    summary: 'Whether a user is active',
    tags,
    auth: 'user',
    params: userId,
    responses: { 200: { description: 'Whether active', schema: z.object({ active }) } },
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
