import { defineRoute, defineRoutes } from '../contract/route-contract';
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
