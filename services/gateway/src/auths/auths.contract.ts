import { ok, text, timestamp } from '../contract/common-schemas';
import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';
import { permissionsOutput as permissions } from './permissions-json';

const tags = ['auths'] as const;
const role = z.enum(['admin', 'user', 'pending'], {
  errorMap: () => ({ message: 'must be admin, user or pending' }),
});

/** Open WebUI's user JSON. */
export const sessionUser = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(['admin', 'user', 'pending']),
    profile_image_url: z.string(),
    created_at: timestamp,
    updated_at: timestamp,
    last_active_at: timestamp.openapi({
      description: 'When the user last made a request (to the minute); 0: never',
    }),
  })
  .openapi('SessionUser');

export const signInResponse = sessionUser
  .extend({
    token: z.string(),
    token_type: z.literal('Bearer'),
    expires_at: timestamp.nullable(),
    permissions,
  })
  .openapi('SignInResponse');

export const signInForm = z.object({ email: text(254), password: text(256) }).openapi('SignInForm');
export const signUpForm = signInForm.extend({ name: text(255) }).openapi('SignUpForm');

const apiKeyInfo = z
  .object({
    api_key: z.string(),
    prefix: z.string(),
    created_at: timestamp,
    last_used_at: timestamp.nullable(),
  })
  .openapi('ApiKey');

const session = { 200: { description: 'Signed in; the session cookie is set too', schema: signInResponse } };

export const authsContract = defineRoutes({
  signUp: defineRoute({
    method: 'post',
    path: '/api/v1/auths/signup',
    summary: 'Create an account and sign in',
    tags,
    auth: 'public',
    body: signUpForm,
    responses: session,
  }),
  signIn: defineRoute({
    method: 'post',
    path: '/api/v1/auths/signin',
    summary: 'Sign in with email and password (or the trusted sign-in proxy header)',
    tags,
    auth: 'public',
    // Behind WEBUI_AUTH_TRUSTED_EMAIL_HEADER and in single-user mode (WEBUI_AUTH=False) the body is not
    // read, so the handler validates it itself.
    body: signInForm,
    responses: session,
  }),
  ldap: defineRoute({
    method: 'post',
    path: '/api/v1/auths/ldap',
    summary: 'Sign in with a directory username and password',
    tags,
    auth: 'public',
    body: z.object({ user: text(256), password: text(256) }),
    responses: session,
  }),
  me: defineRoute({
    method: 'get',
    path: '/api/v1/auths/',
    summary: 'The signed-in user, the credential it signed in with, and their permissions',
    tags,
    auth: 'pending',
    responses: {
      200: {
        description: 'The user',
        schema: signInResponse.openapi('SessionUserWithToken'),
      },
    },
  }),
  adminDetails: defineRoute({
    method: 'get',
    path: '/api/v1/auths/admin/details',
    summary: 'The administrator a pending user may ask for approval (SHOW_ADMIN_DETAILS, ADMIN_EMAIL)',
    tags,
    auth: 'pending',
    responses: {
      200: {
        description: 'Name and email; null when no admin is found',
        schema: z
          .object({ name: z.string().nullable(), email: z.string().nullable() })
          .openapi('AdminDetails'),
      },
    },
  }),
  signOut: defineRoute({
    method: 'get',
    path: '/api/v1/auths/signout',
    summary: 'End this session on every copy and clear the cookie',
    tags,
    auth: 'public',
    responses: { 200: { description: 'Signed out', schema: z.object({ status: z.boolean() }) } },
  }),
  updatePassword: defineRoute({
    method: 'post',
    path: '/api/v1/auths/update/password',
    summary: 'Change my password (ends my other sessions)',
    tags,
    auth: 'pending',
    body: z.object({ password: text(256), new_password: text(256) }),
    responses: { 200: { description: 'Changed', schema: ok } },
  }),
  updateProfile: defineRoute({
    method: 'post',
    path: '/api/v1/auths/update/profile',
    summary: 'Change my name and picture',
    tags,
    auth: 'pending',
    body: z.object({ name: text(255), profile_image_url: text(2_000_000).optional() }),
    responses: { 200: { description: 'The user', schema: sessionUser } },
  }),
  addUser: defineRoute({
    method: 'post',
    path: '/api/v1/auths/add',
    summary: 'Add a user (admin)',
    tags,
    auth: 'admin',
    body: z.object({ name: text(255), email: text(254), password: text(256), role: role.default('pending') }),
    responses: {
      200: {
        description: 'The new user (no token)',
        schema: sessionUser.extend({ token: z.literal(''), token_type: z.literal('Bearer') }),
      },
    },
  }),
  createApiKey: defineRoute({
    method: 'post',
    path: '/api/v1/auths/api_key',
    summary: 'Create my API key (replaces the old one); the key is shown only now',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The key', schema: apiKeyInfo } },
  }),
  getApiKey: defineRoute({
    method: 'get',
    path: '/api/v1/auths/api_key',
    summary: 'Whether I have an API key, masked, and when it was used',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The masked key', schema: apiKeyInfo } },
  }),
  deleteApiKey: defineRoute({
    method: 'delete',
    path: '/api/v1/auths/api_key',
    summary: 'Delete my API key',
    tags,
    auth: 'user',
    responses: { 200: { description: 'Deleted', schema: ok } },
  }),
});
