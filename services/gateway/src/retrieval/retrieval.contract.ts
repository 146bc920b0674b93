import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';
import {
  configForm,
  embeddingForm,
  processFileForm,
  processTextForm,
  queryCollectionForm,
  queryDocForm,
} from './retrieval-json';

// Open WebUI's /api/v1/retrieval routes over the retrieval service (docs/retrieval.md): search answers
// in its Chroma-style shape, indexing of texts and files, and the admin settings.

const tags = ['retrieval'] as const;

/** One hit's metadata. `page` is 1-based, null when the source is not paged. */
const hitMetadata = z.object({
  file_id: z.string(),
  name: z.string(),
  source: z.string(),
  page: z.number().int().nullable(),
  heading: z.string(),
  knowledge_base_id: z.string().nullable(),
  position: z.number().int(),
  score: z.number(),
});

/** Open WebUI's query answer: one list per query (always one here), best first; distances are scores. */
export const queryResult = z
  .object({
    distances: z.array(z.array(z.number())),
    documents: z.array(z.array(z.string())),
    metadatas: z.array(z.array(hitMetadata)),
  })
  .openapi('RetrievalQueryResult');

const reindex = z.object({
  running: z.boolean(),
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
});

/** Open WebUI's RAG config keys (those this installation has), plus re-index progress and dimensions. */
export const retrievalConfig = z
  .object({
    status: z.literal(true),
    RAG_TEMPLATE: z.string(),
    TOP_K: z.number().int(),
    BYPASS_EMBEDDING_AND_RETRIEVAL: z.boolean(),
    ENABLE_RAG_HYBRID_SEARCH: z.boolean(),
    TOP_K_RERANKER: z.number().int(),
    RELEVANCE_THRESHOLD: z.number(),
    HYBRID_BM25_WEIGHT: z.number(),
    RAG_RERANKING_ENGINE: z.string(),
    RAG_RERANKING_MODEL: z.string(),
    RAG_EXTERNAL_RERANKER_URL: z.string(),
    // Masked: send it back unchanged to keep the saved key.
    RAG_EXTERNAL_RERANKER_API_KEY: z.string(),
    TEXT_SPLITTER: z.string(),
    CHUNK_SIZE: z.number().int(),
    CHUNK_OVERLAP: z.number().int(),
    RAG_FULL_TEXT_SEARCH_LANGUAGE: z.string(),
    RAG_EMBEDDING_ENGINE: z.string(),
    RAG_EMBEDDING_MODEL: z.string(),
    reindex,
    embedding_dimensions: z.number().int(),
  })
  .openapi('RetrievalConfig');

const endpointConfig = z.object({ url: z.string(), key: z.string() });
export const embeddingConfig = z
  .object({
    status: z.literal(true),
    embedding_engine: z.string(),
    embedding_model: z.string(),
    embedding_batch_size: z.number().int(),
    openai_config: endpointConfig,
    ollama_config: endpointConfig,
    reindex,
    embedding_dimensions: z.number().int(),
  })
  .openapi('RetrievalEmbeddingConfig');

const oneConfig = { 200: { description: 'The settings now', schema: retrievalConfig } };
const configUpdate = {
  description:
    'Keys left out keep their value; keys of Open WebUI settings this installation does not have are ' +
    'ignored. A new embedding engine or model re-indexes everything in the background.',
  tags,
  auth: 'admin',
  body: configForm.openapi('RetrievalConfigForm'),
  responses: oneConfig,
} as const;

export const retrievalContract = defineRoutes({
  queryDoc: defineRoute({
    method: 'post',
    path: '/api/v1/retrieval/query/doc',
    summary: 'Search one file (or text source) I may read',
    description: '`collection_name` is a file id or `file-<id>`; `r` is the relevance threshold.',
    tags,
    auth: 'user',
    body: queryDocForm.openapi('QueryDocForm'),
    responses: { 200: { description: 'The hits', schema: queryResult } },
  }),
  queryCollection: defineRoute({
    method: 'post',
    path: '/api/v1/retrieval/query/collection',
    summary: 'Search knowledge bases and files I may read',
    description: '`collection_names`: knowledge base ids, or `file-<id>` for a file.',
    tags,
    auth: 'user',
    body: queryCollectionForm.openapi('QueryCollectionsForm'),
    responses: { 200: { description: 'The hits', schema: queryResult } },
  }),
  processText: defineRoute({
    method: 'post',
    path: '/api/v1/retrieval/process/text',
    summary: 'Index a text of mine; answers once it is searchable',
    description: 'Search it with query/doc and the answer’s `collection_name`.',
    tags,
    auth: 'user',
    body: processTextForm.openapi('ProcessTextForm'),
    responses: {
      200: {
        description: 'Indexed',
        schema: z.object({ status: z.literal(true), collection_name: z.string(), content: z.string() }),
      },
    },
  }),
  processFile: defineRoute({
    method: 'post',
    path: '/api/v1/retrieval/process/file',
    summary: '(Re)index a file of mine, optionally into a knowledge base',
    description:
      'Indexing runs in the background (file:status on the socket). `collection_name` a knowledge base id: ' +
      'the file is added to it (write access needed).',
    tags,
    auth: 'user',
    body: processFileForm.openapi('ProcessFileForm'),
    responses: {
      200: {
        description: 'Queued',
        schema: z.object({
          status: z.literal(true),
          collection_name: z.string(),
          filename: z.string(),
          index_status: z.enum(['pending', 'indexing', 'indexed', 'failed']),
        }),
      },
    },
  }),
  getConfig: defineRoute({
    method: 'get',
    path: '/api/v1/retrieval/config',
    summary: 'The retrieval settings (admin)',
    tags,
    auth: 'admin',
    responses: oneConfig,
  }),
  setConfig: defineRoute({
    method: 'post',
    path: '/api/v1/retrieval/config',
    summary: 'Change the retrieval settings (admin)',
    ...configUpdate,
  }),
  updateConfig: defineRoute({
    method: 'post',
    path: '/api/v1/retrieval/config/update',
    summary: 'Change the retrieval settings (admin; Open WebUI’s path)',
    ...configUpdate,
  }),
  getEmbedding: defineRoute({
    method: 'get',
    path: '/api/v1/retrieval/embedding',
    summary: 'The embedding model settings (admin)',
    tags,
    auth: 'admin',
    responses: { 200: { description: 'The settings', schema: embeddingConfig } },
  }),
  updateEmbedding: defineRoute({
    method: 'post',
    path: '/api/v1/retrieval/embedding/update',
    summary: 'Change the embedding model (admin); a new one re-indexes in the background',
    description: 'An empty `embedding_engine` turns embeddings off: search becomes keyword-only.',
    tags,
    auth: 'admin',
    body: embeddingForm.openapi('EmbeddingModelUpdateForm'),
    responses: { 200: { description: 'The settings now', schema: embeddingConfig } },
  }),
});
