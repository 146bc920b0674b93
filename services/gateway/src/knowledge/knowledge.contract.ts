import { accessControl, ok, timestamp } from '../contract/common-schemas';
import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';
import { knowledgeForm } from './knowledge-json';

// Open WebUI's /api/v1/knowledge routes over the retrieval service (docs/retrieval.md). Who may read and
// change a knowledge base is the retrieval service's decision; one the caller may not read is a 404.

const tags = ['knowledge'] as const;
const knowledgeId = z.object({ id: z.string().max(200, 'must be at most 200 characters') });
const fileIdForm = z
  .object({
    file_id: z
      .string({ required_error: 'is required', invalid_type_error: 'must be a file id' })
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters'),
  })
  .openapi('KnowledgeFileIdForm');

/** A file of a knowledge base: Open WebUI's FileMetadataResponse, plus where its indexing stands. */
export const knowledgeFile = z
  .object({
    id: z.string(),
    meta: z.object({
      // Empty when the caller may not read the file itself (a reader of someone else's knowledge base).
      name: z.string(),
      content_type: z.string(),
      size: z.number().int(),
    }),
    created_at: timestamp,
    updated_at: timestamp,
    // The index state, from GET /{id} and the routes that change files (lists leave it out).
    status: z.enum(['pending', 'indexing', 'indexed', 'failed']).optional(),
    chunk_count: z.number().int().optional(),
    error: z.string().optional(),
    added_at: timestamp.optional(),
    indexed_at: timestamp.optional(),
  })
  .openapi('KnowledgeFile');

/** Open WebUI's KnowledgeResponse with `files` and `write_access`. */
export const knowledge = z
  .object({
    id: z.string(),
    user_id: z.string(),
    name: z.string(),
    description: z.string(),
    data: z.object({ file_ids: z.array(z.string()) }),
    meta: z.record(z.unknown()),
    access_control: accessControl,
    created_at: timestamp,
    updated_at: timestamp,
    write_access: z.boolean(),
    files: z.array(knowledgeFile),
  })
  .openapi('Knowledge');

const form = knowledgeForm.openapi('KnowledgeForm');
const oneKnowledge = { 200: { description: 'The knowledge base with its files', schema: knowledge } };

export const knowledgeContract = defineRoutes({
  list: defineRoute({
    method: 'get',
    path: '/api/v1/knowledge/',
    summary: 'The knowledge bases I may read',
    tags,
    auth: 'user',
    responses: { 200: { description: 'Newest first', schema: z.array(knowledge) } },
  }),
  writable: defineRoute({
    method: 'get',
    path: '/api/v1/knowledge/list',
    summary: 'The knowledge bases I may change',
    tags,
    auth: 'user',
    responses: { 200: { description: 'Newest first', schema: z.array(knowledge) } },
  }),
  create: defineRoute({
    method: 'post',
    path: '/api/v1/knowledge/create',
    summary: 'Create a knowledge base (workspace.knowledge)',
    description:
      '`access_control` null or absent: public (everyone reads it); `{}`: private; rules: those groups and ' +
      'users. `data.file_ids` adds those files at once.',
    tags,
    auth: 'user',
    body: form,
    responses: oneKnowledge,
  }),
  reindex: defineRoute({
    method: 'post',
    path: '/api/v1/knowledge/reindex',
    summary: 'Re-index every file in the background (admin)',
    description: 'Progress is in GET /api/v1/retrieval/config (`reindex`).',
    tags,
    auth: 'admin',
    responses: { 200: { description: 'Started', schema: ok } },
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/v1/knowledge/{id}',
    summary: 'A knowledge base with its files and their index state',
    tags,
    auth: 'user',
    params: knowledgeId,
    responses: oneKnowledge,
  }),
  update: defineRoute({
    method: 'post',
    path: '/api/v1/knowledge/{id}/update',
    summary: 'Replace name, description and access control',
    description:
      'As in Open WebUI the form is whole: an absent `access_control` makes the knowledge base public.',
    tags,
    auth: 'user',
    params: knowledgeId,
    body: form,
    responses: oneKnowledge,
  }),
  addFile: defineRoute({
    method: 'post',
    path: '/api/v1/knowledge/{id}/file/add',
    summary: 'Add a file I may read; it is indexed in the background',
    tags,
    auth: 'user',
    params: knowledgeId,
    body: fileIdForm,
    responses: oneKnowledge,
  }),
  removeFile: defineRoute({
    method: 'post',
    path: '/api/v1/knowledge/{id}/file/remove',
    summary: 'Remove a file from the knowledge base (the file itself stays)',
    tags,
    auth: 'user',
    params: knowledgeId,
    body: fileIdForm,
    responses: oneKnowledge,
  }),
  reset: defineRoute({
    method: 'post',
    path: '/api/v1/knowledge/{id}/reset',
    summary: 'Remove every file from the knowledge base',
    tags,
    auth: 'user',
    params: knowledgeId,
    responses: oneKnowledge,
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/api/v1/knowledge/{id}/delete',
    summary: 'Delete a knowledge base (its files stay)',
    tags,
    auth: 'user',
    params: knowledgeId,
    responses: { 200: { description: 'Deleted', schema: ok } },
  }),
});
