import { defineRoute, defineRoutes } from '../contract/route-contract';
import { errorBody } from '../contract/common-schemas';
import { z } from '../contract/zod-openapi';

const tags = ['pass-through'] as const;
const passed = {
  200: {
    description: "The upstream's answer, passed on as it is (JSON, NDJSON or SSE)",
    schema: z.unknown(),
  },
};
const ollama = (path: string, summary: string) =>
  defineRoute({ method: 'post', path, summary, tags, auth: 'user', body: z.unknown(), responses: passed });

export const upstreamProxyContract = defineRoutes({
  ollamaTags: defineRoute({
    method: 'get',
    path: '/ollama/api/tags',
    summary: "Ollama's model list, merged over the connections",
    tags,
    auth: 'user',
    responses: passed,
  }),
  ollamaVersion: defineRoute({
    method: 'get',
    path: '/ollama/api/version',
    summary: "Ollama's version",
    tags,
    auth: 'user',
    responses: passed,
  }),
  ollamaChat: ollama('/ollama/api/chat', 'Ollama chat, routed by model'),
  ollamaGenerate: ollama('/ollama/api/generate', 'Ollama generate, routed by model'),
  ollamaShow: ollama('/ollama/api/show', 'Ollama model details, routed by model'),
  ollamaEmbed: ollama('/ollama/api/embed', 'Ollama embeddings, routed by model'),
  ollamaEmbeddings: ollama('/ollama/api/embeddings', 'Ollama embeddings (old path), routed by model'),
  ollamaUnload: defineRoute({
    method: 'post',
    path: '/ollama/api/unload',
    summary: "Unload a model from its Ollama server's memory (admin; Open WebUI's own route)",
    description:
      'Sent upstream as a generate call with keep_alive 0, to the connection that serves the model.',
    tags: ['ollama'],
    auth: 'admin',
    body: z
      .object({ model: z.string().max(500).optional(), name: z.string().max(500).optional() })
      .passthrough(),
    responses: { 200: { description: 'Unloaded', schema: z.object({ status: z.literal(true) }) } },
  }),
  ollamaModelFiles: defineRoute({
    method: 'post',
    path: '/ollama/models/{action}',
    summary: "Open WebUI's GGUF download and upload: not offered (404 NOT_OFFERED)",
    description:
      'Parley keeps no model files; pull models with /ollama/api/pull or on the Ollama server. A 4xx, not 501: no route answers a 5xx for what the client asked.',
    tags: ['ollama'],
    auth: 'admin',
    params: z.object({
      action: z.enum(['download', 'upload'], { errorMap: () => ({ message: 'must be download or upload' }) }),
    }),
    body: z.unknown(),
    responses: { 404: { description: 'Not offered', schema: errorBody } },
    status: 404,
  }),
  ollamaAdmin: defineRoute({
    method: 'all',
    path: '/ollama/{path}',
    rest: true,
    summary: 'The rest of the Ollama API: pull, push, create, copy, delete, ps (admin)',
    tags,
    auth: 'admin',
    params: z.object({ path: z.string().openapi({ description: 'The rest of the upstream path' }) }),
    body: z.unknown(),
    responses: passed,
  }),
  openai: defineRoute({
    method: 'all',
    path: '/openai/{path}',
    rest: true,
    summary: 'The OpenAI-compatible API of the connections (model-routed when the body names a model)',
    tags,
    auth: 'user',
    params: z.object({ path: z.string().openapi({ description: 'The rest of the upstream path' }) }),
    body: z.unknown(),
    responses: passed,
  }),
});
