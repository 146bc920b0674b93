import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

const tags = ['connections'] as const;
const apiConfig = z
  .object({
    enable: z.boolean().optional(),
    prefix_id: z.string().max(64).optional().nullable(),
    model_ids: z.array(z.string().max(256)).max(1_000).optional(),
    key: z.string().max(4_096).optional(),
    /** Open WebUI's shape, `[{name}]`; plain names are taken too. */
    tags: z
      .array(z.union([z.string().max(64), z.object({ name: z.string().max(64) }).passthrough()]))
      .max(20)
      .optional(),
    connection_type: z.enum(['external', 'local']).optional(),
  })
  .passthrough();
const urls = z.array(z.string().max(2_048), { invalid_type_error: 'must be a list of URLs' }).max(100);
const configs = z
  .record(apiConfig, { invalid_type_error: 'must be an object keyed by position' })
  .default({});

export const openAiForm = z
  .object({
    ENABLE_OPENAI_API: z.boolean().optional().nullable(),
    OPENAI_API_BASE_URLS: urls,
    OPENAI_API_KEYS: z.array(z.string().max(4_096)).max(100).default([]),
    OPENAI_API_CONFIGS: configs,
  })
  .openapi('OpenAIConnectionsForm');
export const ollamaForm = z
  .object({
    ENABLE_OLLAMA_API: z.boolean().optional().nullable(),
    OLLAMA_BASE_URLS: urls,
    OLLAMA_API_CONFIGS: configs,
  })
  .openapi('OllamaConnectionsForm');

const shownConfig = z.object({
  enable: z.boolean(),
  prefix_id: z.string(),
  model_ids: z.array(z.string()),
  tags: z.array(z.object({ name: z.string() })),
  connection_type: z.enum(['external', 'local']),
  key: z.string().optional(),
});
const openAiView = z
  .object({
    ENABLE_OPENAI_API: z.boolean(),
    OPENAI_API_BASE_URLS: z.array(z.string()),
    OPENAI_API_KEYS: z.array(z.string()).openapi({ description: 'Masked' }),
    OPENAI_API_CONFIGS: z.record(shownConfig),
  })
  .openapi('OpenAIConnections');
const ollamaView = z
  .object({
    ENABLE_OLLAMA_API: z.boolean(),
    OLLAMA_BASE_URLS: z.array(z.string()),
    OLLAMA_API_CONFIGS: z.record(shownConfig),
  })
  .openapi('OllamaConnections');

const verifyForm = z.object({
  url: z.string().min(1, 'must not be empty').max(2_048),
  key: z.string().max(4_096).default(''),
});
const verified = {
  200: { description: "The upstream's model list, as it answered", schema: z.unknown() },
};

export const connectionsConfigContract = defineRoutes({
  openAiConfig: defineRoute({
    method: 'get',
    path: '/openai/config',
    summary: 'The OpenAI-compatible connections, keys masked (admin)',
    tags,
    auth: 'admin',
    responses: { 200: { description: 'The connections', schema: openAiView } },
  }),
  updateOpenAi: defineRoute({
    method: 'post',
    path: '/openai/config/update',
    summary: 'Replace the OpenAI-compatible connections; a masked key keeps the stored one (admin)',
    tags,
    auth: 'admin',
    body: openAiForm,
    responses: { 200: { description: 'The connections', schema: openAiView } },
  }),
  ollamaConfig: defineRoute({
    method: 'get',
    path: '/ollama/config',
    summary: 'The Ollama connections, keys masked (admin)',
    tags,
    auth: 'admin',
    responses: { 200: { description: 'The connections', schema: ollamaView } },
  }),
  updateOllama: defineRoute({
    method: 'post',
    path: '/ollama/config/update',
    summary: 'Replace the Ollama connections (admin)',
    tags,
    auth: 'admin',
    body: ollamaForm,
    responses: { 200: { description: 'The connections', schema: ollamaView } },
  }),
  verifyOpenAi: defineRoute({
    method: 'post',
    path: '/openai/verify',
    summary: 'Try an OpenAI-compatible URL and key (admin)',
    tags,
    auth: 'admin',
    body: verifyForm,
    responses: verified,
  }),
  verifyOllama: defineRoute({
    method: 'post',
    path: '/ollama/verify',
    summary: 'Try an Ollama URL (admin)',
    tags,
    auth: 'admin',
    body: verifyForm,
    responses: verified,
  }),
});
