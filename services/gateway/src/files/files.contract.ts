import { queryFlag, timestamp } from '../contract/common-schemas';
import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

// The /api/v1/files routes, Open WebUI's paths, query parameters and shapes (docs/files.md).

const tags = ['files'] as const;
const fileId = z.object({ id: z.string() });
const flag = (fallback: boolean) => queryFlag.default(fallback ? 'true' : 'false');

/** Open WebUI's FileModelResponse: `data` holds status/content/error, `meta` name/type/size/metadata. */
export const fileModel = z
  .object({
    id: z.string(),
    user_id: z.string(),
    hash: z.string(),
    filename: z.string(),
    data: z.object({
      status: z.enum(['pending', 'completed', 'failed']).optional(),
      content: z.string().optional(),
      error: z.string().optional(),
    }),
    meta: z.object({
      name: z.string(),
      content_type: z.string(),
      size: z.number().int(),
      data: z.unknown(),
    }),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .openapi('FileModel');

const oneFile = { 200: { description: 'The file', schema: fileModel } };
const message = z.object({ message: z.string() });

/** The multipart `metadata` field: a JSON object (Open WebUI sends JSON text). */
export const metadataField = z
  .string()
  .max(64 * 1024, 'must be at most 64 KiB')
  .refine(
    (text) => {
      try {
        const value: unknown = JSON.parse(text);
        return value === null || (typeof value === 'object' && !Array.isArray(value));
      } catch {
        return false;
      }
    },
    { message: 'must be a JSON object' },
  );

export const filesContract = defineRoutes({
  upload: defineRoute({
    method: 'post',
    path: '/api/v1/files/',
    summary: 'Upload a file',
    description:
      'multipart/form-data with the field `file` (and optionally `metadata`, a JSON object). The bytes stream ' +
      'to storage; with process=true the text is extracted in the background (poll or stream the status).',
    tags,
    auth: 'user',
    query: z.object({
      process: flag(true),
      // Open WebUI's; processing always runs in the background here (a durable job), so it changes nothing.
      process_in_background: flag(true),
    }),
    responses: {
      200: {
        description: 'The stored file (with `status: true` when processing was asked for)',
        schema: fileModel.extend({ status: z.boolean().optional() }),
      },
      413: { description: 'Larger than RAG_FILE_MAX_SIZE, or over the storage quota' },
    },
  }),
  list: defineRoute({
    method: 'get',
    path: '/api/v1/files/',
    summary: 'My files',
    tags,
    auth: 'user',
    query: z.object({ content: flag(true) }),
    responses: { 200: { description: 'The files', schema: z.array(fileModel) } },
  }),
  deleteAll: defineRoute({
    method: 'delete',
    path: '/api/v1/files/all',
    summary: 'Delete every file of every user',
    tags,
    auth: 'admin',
    responses: { 200: { description: 'Done', schema: message } },
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/v1/files/{id}',
    summary: 'A file',
    tags,
    auth: 'user',
    params: fileId,
    responses: oneFile,
  }),
  content: defineRoute({
    method: 'get',
    path: '/api/v1/files/{id}/content',
    summary: 'The file’s bytes',
    description: 'Active content (HTML, SVG, XML) is always an attachment, with nosniff and a sandbox CSP.',
    tags,
    auth: 'user',
    params: fileId,
    query: z.object({ attachment: flag(false) }),
    responses: {
      200: { description: 'The bytes, with the stored type', contentType: 'application/octet-stream' },
    },
  }),
  dataContent: defineRoute({
    method: 'get',
    path: '/api/v1/files/{id}/data/content',
    summary: 'The extracted text',
    tags,
    auth: 'user',
    params: fileId,
    responses: { 200: { description: 'The text', schema: z.object({ content: z.string() }) } },
  }),
  updateContent: defineRoute({
    method: 'post',
    path: '/api/v1/files/{id}/data/content/update',
    summary: 'Replace the extracted text',
    tags,
    auth: 'user',
    params: fileId,
    body: z.object({
      content: z.string({ required_error: 'is required', invalid_type_error: 'must be text' }),
    }),
    responses: { 200: { description: 'The text now', schema: z.object({ content: z.string() }) } },
  }),
  processStatus: defineRoute({
    method: 'get',
    path: '/api/v1/files/{id}/process/status',
    summary: 'Where extraction stands',
    description: 'With stream=true, server-sent events until the status is no longer pending.',
    tags,
    auth: 'user',
    params: fileId,
    query: z.object({ stream: flag(false) }),
    responses: {
      200: {
        description: '{status} (pending, completed, failed), or an event stream of them',
        schema: z.object({ status: z.string(), error: z.string().optional() }),
      },
    },
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/api/v1/files/{id}',
    summary: 'Delete a file, its bytes and what was derived from it',
    tags,
    auth: 'user',
    params: fileId,
    responses: { 200: { description: 'Done', schema: message } },
  }),
});
