import { ok, queryFlag, timestamp } from '../contract/common-schemas';
import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

const tags = ['folders'] as const;
const folderId = z.object({ id: z.string() });
const object = z.record(z.unknown(), { invalid_type_error: 'must be a JSON object' });
const folderForm = z.object({
  name: z.string({ required_error: 'is required', invalid_type_error: 'must be text' }).max(10_000),
  data: object.nullish(),
  meta: object.nullish(),
  parent_id: z.string().max(100).nullish(),
});

/** Open WebUI's FolderModel. */
export const folder = z
  .object({
    id: z.string(),
    parent_id: z.string().nullable(),
    user_id: z.string(),
    name: z.string(),
    meta: z.record(z.unknown()).nullable(),
    data: z.record(z.unknown()).nullable(),
    is_expanded: z.boolean(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .openapi('Folder');

const oneFolder = { 200: { description: 'The folder', schema: folder } };

export const foldersContract = defineRoutes({
  list: defineRoute({
    method: 'get',
    path: '/api/v1/folders/',
    summary: 'Every folder of mine',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The folders', schema: z.array(folder) } },
  }),
  create: defineRoute({
    method: 'post',
    path: '/api/v1/folders/',
    summary: 'Create a folder',
    tags,
    auth: 'user',
    body: folderForm,
    responses: oneFolder,
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/v1/folders/{id}',
    summary: 'A folder',
    tags,
    auth: 'user',
    params: folderId,
    responses: oneFolder,
  }),
  update: defineRoute({
    method: 'post',
    path: '/api/v1/folders/{id}/update',
    summary: 'Rename a folder or change its meta/data',
    tags,
    auth: 'user',
    params: folderId,
    body: folderForm.omit({ parent_id: true }),
    responses: oneFolder,
  }),
  move: defineRoute({
    method: 'post',
    path: '/api/v1/folders/{id}/update/parent',
    summary: 'Move a folder (null: to the top)',
    tags,
    auth: 'user',
    params: folderId,
    body: z.object({ parent_id: z.string().max(100).nullish() }),
    responses: oneFolder,
  }),
  expand: defineRoute({
    method: 'post',
    path: '/api/v1/folders/{id}/update/expanded',
    summary: 'Open or close a folder in the sidebar',
    tags,
    auth: 'user',
    params: folderId,
    body: z.object({ is_expanded: z.boolean({ required_error: 'is required' }) }),
    responses: oneFolder,
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/api/v1/folders/{id}',
    summary: 'Delete a folder and (unless delete_contents=false) its chats',
    tags,
    auth: 'user',
    params: folderId,
    query: z.object({ delete_contents: queryFlag.default('true') }),
    responses: { 200: { description: 'Deleted', schema: ok } },
  }),
});
