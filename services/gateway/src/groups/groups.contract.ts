import { ok, timestamp } from '../contract/common-schemas';
import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';
import { permissionsInput, permissionsOutput } from '../auths/permissions-json';

const tags = ['groups'] as const;
const groupId = z.object({ id: z.string() });
export const groupForm = z.object({
  name: z.string({ invalid_type_error: 'must be a string' }).max(100, 'must be at most 100 characters'),
  description: z.string().max(2_000, 'must be at most 2000 characters').default(''),
  permissions: permissionsInput.default({}),
  user_ids: z.array(z.string()).max(10_000, 'must list at most 10000 users').default([]),
});

export const group = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    permissions: permissionsOutput,
    user_ids: z.array(z.string()),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .openapi('Group');

const oneGroup = { 200: { description: 'The group', schema: group } };

export const groupsContract = defineRoutes({
  list: defineRoute({
    method: 'get',
    path: '/api/v1/groups/',
    summary: 'Every group (admin)',
    tags,
    auth: 'admin',
    responses: { 200: { description: 'The groups', schema: z.array(group) } },
  }),
  create: defineRoute({
    method: 'post',
    path: '/api/v1/groups/create',
    summary: 'Create a group (admin)',
    tags,
    auth: 'admin',
    body: groupForm,
    responses: oneGroup,
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/v1/groups/id/{id}',
    summary: 'A group (admin)',
    tags,
    auth: 'admin',
    params: groupId,
    responses: oneGroup,
  }),
  update: defineRoute({
    method: 'post',
    path: '/api/v1/groups/id/{id}/update',
    summary: 'Change a group; fields left out stay (admin)',
    tags,
    auth: 'admin',
    params: groupId,
    body: groupForm.partial().openapi('GroupForm'),
    responses: oneGroup,
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/api/v1/groups/id/{id}/delete',
    summary: 'Delete a group (admin)',
    tags,
    auth: 'admin',
    params: groupId,
    responses: { 200: { description: 'Deleted', schema: ok } },
  }),
});
