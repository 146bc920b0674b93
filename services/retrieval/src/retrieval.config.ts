import { databaseEnv } from '@parley/database';
import { commonServiceEnv, env, sensitive, z } from '@parley/config';
import { natsEnv } from '@parley/nats';

const number01 = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);

/**
 * Every variable the retrieval service reads (Open WebUI's names where it has them). The RAG_* and
 * CHUNK_* values are the defaults of the runtime settings: an admin's saved settings win over them.
 */
export const retrievalConfigSchema = z.object({
  HTTP_PORT: env.port(8084),
  GRPC_PORT: env.port(50054),
  ...databaseEnv(),
  ...natsEnv(),
  FILES_GRPC_URL: env.hostPort('127.0.0.1:50055'),
  GRPC_DEADLINE_MS: env.int(5_000, { min: 100, max: 60_000 }),

  /** Seals API keys an admin saves in the settings; unset: keys come from the env only. */
  WEBUI_SECRET_KEY: sensitive(z.string().min(16, 'must be at least 16 characters').optional()),

  /** The vector store engine; `pgvector` is the one there is (docs/retrieval.md). */
  VECTOR_DB: env.oneOf(['pgvector'], 'pgvector'),
  /** PostgreSQL with the pgvector extension; unset: DATABASE_URL. */
  PGVECTOR_DB_URL: sensitive(env.url(['postgres', 'postgresql']).optional()),
  PGVECTOR_POOL_SIZE: env.int(5, { min: 1, max: 100 }),
  /** HNSW candidates per vector search (pgvector's hnsw.ef_search); raised to the asked top k. */
  PGVECTOR_HNSW_EF_SEARCH: env.int(100, { min: 10, max: 1_000 }),

  RAG_EMBEDDING_ENGINE: z
    .enum(['', 'openai', 'ollama'], { message: 'must be "openai", "ollama" or empty (keyword-only search)' })
    .default(''),
  RAG_EMBEDDING_MODEL: z.string().default(''),
  RAG_EMBEDDING_BATCH_SIZE: env.int(32, { min: 1, max: 2_048 }),
  RAG_OPENAI_API_BASE_URL: z.string().default('https://api.openai.com/v1'),
  RAG_OPENAI_API_KEY: sensitive(z.string().default('')),
  RAG_OLLAMA_BASE_URL: z.string().default('http://127.0.0.1:11434'),
  CHUNK_SIZE: env.int(1_000, { min: 20, max: 100_000 }),
  CHUNK_OVERLAP: env.int(100, { min: 0, max: 50_000 }),
  RAG_TEXT_SPLITTER: env.oneOf(['character', 'token'], 'character'),
  RAG_TOP_K: env.int(5, { min: 1, max: 100 }),
  RAG_TOP_K_RERANKER: env.int(3, { min: 1, max: 100 }),
  RAG_RELEVANCE_THRESHOLD: number01(0),
  ENABLE_RAG_HYBRID_SEARCH: env.bool(true),
  RAG_HYBRID_BM25_WEIGHT: number01(0.5),
  RAG_RERANKING_ENGINE: z
    .enum(['', 'external'], { message: 'must be "external" or empty (no reranking)' })
    .default(''),
  RAG_RERANKING_MODEL: z.string().default(''),
  RAG_EXTERNAL_RERANKER_URL: z.string().default(''),
  RAG_EXTERNAL_RERANKER_API_KEY: sensitive(z.string().default('')),
  /** Empty: the built-in template (docs/retrieval.md). {{CONTEXT}} and {{QUERY}} are replaced. */
  RAG_TEMPLATE: z.string().default(''),
  BYPASS_EMBEDDING_AND_RETRIEVAL: env.bool(false),
  RAG_FULL_TEXT_SEARCH_LANGUAGE: z
    .string()
    .regex(/^[a-z_]{2,63}$/, 'must be a PostgreSQL text search configuration name, e.g. english')
    .default('english'),

  /** Calls to the embedding and reranker servers longer than this fail (and the indexing is retried). */
  RAG_EMBEDDING_TIMEOUT_MS: env.int(60_000, { min: 100 }),
  /** One file's indexing longer than this is given to another attempt. */
  RETRIEVAL_INDEX_TIMEOUT_MS: env.int(300_000, { min: 500 }),
  RETRIEVAL_INDEX_MAX_ATTEMPTS: env.int(5, { min: 1, max: 20 }),
  RETRIEVAL_INDEX_RETRY_MS: env.int(1_000, { min: 10 }),
  /** Files indexed at once by one copy. */
  RETRIEVAL_INDEX_CONCURRENCY: env.int(2, { min: 1, max: 32 }),
  /** The JetStream stream of indexing jobs; installations (or tests) sharing one NATS use their own. */
  RETRIEVAL_WORK_QUEUE: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{2,63}$/, 'must be an upper-case stream name, e.g. PARLEY_RETRIEVAL_WORK')
    .default('PARLEY_RETRIEVAL_WORK'),
  /** The durable consumer of PARLEY_FILE_EVENTS (installations sharing one NATS use their own). */
  RETRIEVAL_FILE_EVENTS_CONSUMER: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{2,63}$/, 'must be a lower-case consumer name')
    .default('retrieval-indexer'),
  /** IndexText's largest text. */
  RAG_PROCESS_TEXT_MAX_CHARS: env.int(1_000_000, { min: 1_000 }),
  ...commonServiceEnv(),
});

export type RetrievalConfig = z.infer<typeof retrievalConfigSchema>;
export const RETRIEVAL_CONFIG = Symbol('RETRIEVAL_CONFIG');

/** The indexing delay before attempt `n + 1`: doubling from RETRIEVAL_INDEX_RETRY_MS, at most a minute. */
export function indexBackoffMs(config: RetrievalConfig, deliveryCount: number): number {
  return Math.min(60_000, config.RETRIEVAL_INDEX_RETRY_MS * 2 ** Math.max(0, deliveryCount - 1));
}
