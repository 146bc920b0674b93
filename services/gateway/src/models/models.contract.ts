import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';
import { preset } from '../presets/presets.contract';

const tags = ['models'] as const;

/** Open WebUI's /api/models entry: OpenAI's model object plus where it comes from. */
export const model = z
  .object({
    id: z.string(),
    name: z.string(),
    object: z.literal('model'),
    created: z.number().int(),
    owned_by: z.enum(['openai', 'ollama']),
    connection_type: z.enum(['local', 'external']),
    /** The tags of the connections serving it (Open WebUI's per-connection `tags`). */
    tags: z.array(z.object({ name: z.string() })).optional(),
    ollama: z.unknown().optional(),
    urls: z.array(z.number().int()).optional(),
    openai: z.unknown().optional(),
    urlIdx: z.number().int().optional(),
    preset: z.literal(true).optional(),
    info: preset.optional(),
  })
  .openapi('Model');

const modelList = z.object({ object: z.literal('list'), data: z.array(model) }).openapi('ModelList');
const list = {
  200: { description: 'Every model of every connection, and the presets I may use', schema: modelList },
};

export const modelsContract = defineRoutes({
  list: defineRoute({
    method: 'get',
    path: '/api/models',
    summary: 'The models I may call (OpenAI-compatible list)',
    tags,
    auth: 'user',
    responses: list,
  }),
  listV1: defineRoute({
    method: 'get',
    path: '/api/v1/models',
    summary: 'The models I may call (alias of /api/models)',
    tags,
    auth: 'user',
    responses: list,
  }),
  base: defineRoute({
    method: 'get',
    path: '/api/models/base',
    summary: "Every connection's models, without presets (admin)",
    tags,
    auth: 'admin',
    responses: { 200: { description: 'The base models', schema: modelList } },
  }),
  baseSettings: defineRoute({
    method: 'get',
    path: '/api/v1/models/base',
    summary: 'Stored settings of base models (admin); Parley keeps none, so always empty',
    description:
      'Open WebUI stores name, picture and parameters for a base model here; Parley puts them in presets.',
    tags,
    auth: 'admin',
    responses: { 200: { description: 'An empty list', schema: z.array(preset) } },
  }),
  workspace: defineRoute({
    method: 'get',
    path: '/api/v1/models/',
    summary: "The workspace's presets (Open WebUI: with the slash this is the preset list)",
    tags,
    auth: 'user',
    responses: { 200: { description: 'The presets', schema: z.array(preset) } },
  }),
});
