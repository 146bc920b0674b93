import { accessControl, ok, timestamp } from '../contract/common-schemas';
import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';
import { presetForm } from './preset-json';

const tags = ['models'] as const;
const idQuery = z.object({
  id: z
    .string({ invalid_type_error: 'must be given once' })
    .default('')
    .refine((id) => id.trim() !== '', 'is required: the preset id, as ?id=...'),
});

/** A preset in Open WebUI's model shape (ModelModel plus write_access), with knowledge_ids. */
export const preset = z
  .object({
    id: z.string(),
    user_id: z.string(),
    base_model_id: z.string(),
    name: z.string(),
    params: z
      .object({
        system: z.string(),
        temperature: z.number(),
        top_p: z.number(),
        max_tokens: z.number().int(),
        seed: z.number().int(),
        stop: z.array(z.string()),
      })
      .partial(),
    meta: z.object({ description: z.string().nullable() }).passthrough(),
    knowledge_ids: z.array(z.string()),
    access_control: accessControl,
    is_active: z.boolean(),
    created_at: timestamp,
    updated_at: timestamp,
    write_access: z.boolean(),
  })
  .openapi('Preset');

const form = presetForm.openapi('PresetForm');
const onePreset = { 200: { description: 'The preset', schema: preset } };

export const presetsContract = defineRoutes({
  list: defineRoute({
    method: 'get',
    path: '/api/v1/models/list',
    summary: 'The presets I may use',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The presets', schema: z.array(preset) } },
  }),
  create: defineRoute({
    method: 'post',
    path: '/api/v1/models/create',
    summary: 'Create a preset on a base model (workspace.models)',
    tags,
    auth: 'user',
    body: form,
    responses: onePreset,
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/v1/models/model',
    summary: 'A preset',
    tags,
    auth: 'user',
    query: idQuery,
    // The id check has answered INVALID_ARGUMENT since before the contracts; clients branch on codes.
    invalidInputCode: { query: 'INVALID_ARGUMENT' },
    responses: onePreset,
  }),
  update: defineRoute({
    method: 'post',
    path: '/api/v1/models/model/update',
    summary: 'Change a preset',
    tags,
    auth: 'user',
    query: idQuery,
    // The id check has answered INVALID_ARGUMENT since before the contracts; clients branch on codes.
    invalidInputCode: { query: 'INVALID_ARGUMENT' },
    body: form,
    responses: onePreset,
  }),
  toggle: defineRoute({
    method: 'post',
    path: '/api/v1/models/model/toggle',
    summary: 'Switch a preset on or off',
    tags,
    auth: 'user',
    query: idQuery,
    // The id check has answered INVALID_ARGUMENT since before the contracts; clients branch on codes.
    invalidInputCode: { query: 'INVALID_ARGUMENT' },
    responses: onePreset,
  }),
  deleteAll: defineRoute({
    method: 'delete',
    path: '/api/v1/models/delete/all',
    summary: 'Delete every preset (admin)',
    tags,
    auth: 'admin',
    responses: { 200: { description: 'Deleted', schema: ok } },
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/api/v1/models/model/delete',
    summary: 'Delete a preset',
    tags,
    auth: 'user',
    query: idQuery,
    // The id check has answered INVALID_ARGUMENT since before the contracts; clients branch on codes.
    invalidInputCode: { query: 'INVALID_ARGUMENT' },
    responses: { 200: { description: 'Deleted', schema: ok } },
  }),
});
