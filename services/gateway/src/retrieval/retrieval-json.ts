import { z } from '@parley/config';
import { retrievalV1 } from '@parley/proto';

/** SearchRequest's limit on the question. */
export const MAX_QUERY_CHARS = 4_000;
const MAX_TARGETS = 50;

const collectionName = z
  .string({ required_error: 'is required', invalid_type_error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(205, 'must be at most 205 characters');
const query = z
  .string({ required_error: 'is required', invalid_type_error: 'must be a string' })
  .refine((q) => q.trim() !== '', 'must not be empty')
  .refine((q) => q.length <= MAX_QUERY_CHARS, `must be at most ${MAX_QUERY_CHARS} characters`);
const searchOptions = {
  k: z
    .number({ invalid_type_error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(100, 'must be at most 100')
    .nullable()
    .optional(),
  // Open WebUI's; the reranker keeps TOP_K_RERANKER of the settings here.
  k_reranker: z.number({ invalid_type_error: 'must be a number' }).nullable().optional(),
  r: z
    .number({ invalid_type_error: 'must be a number' })
    .min(0, 'must be 0..1')
    .max(1, 'must be 0..1')
    .nullable()
    .optional(),
  hybrid: z.boolean({ invalid_type_error: 'must be true or false' }).nullable().optional(),
  // Open WebUI's; the fusion weight is HYBRID_BM25_WEIGHT of the settings here.
  hybrid_bm25_weight: z.number({ invalid_type_error: 'must be a number' }).nullable().optional(),
};

export const queryDocForm = z.object({ collection_name: collectionName, query, ...searchOptions });
export const queryCollectionForm = z.object({
  collection_names: z
    .array(collectionName, { required_error: 'is required', invalid_type_error: 'must be a list of ids' })
    .min(1, 'must name at least one collection')
    .max(MAX_TARGETS, `must name at most ${MAX_TARGETS} collections`),
  query,
  ...searchOptions,
});
type SearchOptions = z.infer<typeof queryDocForm>;

export const processTextForm = z.object({
  name: z
    .string({ invalid_type_error: 'must be a string' })
    .max(255, 'must be at most 255 characters')
    .default(''),
  content: z
    .string({ required_error: 'is required', invalid_type_error: 'must be a string' })
    .refine((c) => c.trim() !== '', 'must not be empty'),
  collection_name: z
    .null({ invalid_type_error: 'is not supported: the text gets its own, the answer’s collection_name' })
    .optional(),
});

export const processFileForm = z.object({
  file_id: z
    .string({ required_error: 'is required', invalid_type_error: 'must be a file id' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters'),
  collection_name: collectionName.nullable().optional(),
});

const FILE_PREFIX = 'file-';

/** A file collection's id: `file-<id>` (Open WebUI's form) or the bare id. */
export function fileIdOf(name: string): string {
  return name.startsWith(FILE_PREFIX) ? name.slice(FILE_PREFIX.length) : name;
}

/** A collection name as a search target: `file-<id>` is a file, anything else a knowledge base. */
export function collectionTarget(name: string) {
  return name.startsWith(FILE_PREFIX)
    ? { target: { case: 'fileId' as const, value: name.slice(FILE_PREFIX.length) } }
    : { target: { case: 'knowledgeBaseId' as const, value: name } };
}

export function fileTarget(name: string) {
  return { target: { case: 'fileId' as const, value: fileIdOf(name) } };
}

export function searchOptionsOf(form: Omit<SearchOptions, 'collection_name'>) {
  return {
    query: form.query,
    topK: form.k ?? 0,
    mode:
      form.hybrid === true
        ? retrievalV1.SearchMode.HYBRID
        : form.hybrid === false
          ? retrievalV1.SearchMode.VECTOR
          : retrievalV1.SearchMode.UNSPECIFIED,
    ...(form.r === null || form.r === undefined ? {} : { relevanceThreshold: form.r }),
  };
}

/** SearchResponse in Open WebUI's query shape (one query: one list each). */
export function queryResultJson(answer: retrievalV1.SearchResponse) {
  const hits = answer.hits;
  return {
    distances: [hits.map((h) => h.score)],
    documents: [hits.map((h) => h.chunk?.text ?? '')],
    metadatas: [
      hits.map((h) => ({
        file_id: h.chunk?.fileId ?? '',
        name: h.chunk?.fileName ?? '',
        source: h.chunk?.fileName ?? '',
        page: h.chunk?.page ? h.chunk.page : null,
        heading: h.chunk?.heading ?? '',
        knowledge_base_id: h.chunk?.knowledgeBaseId || null,
        position: h.chunk?.position ?? 0,
        score: h.score,
      })),
    ],
  };
}

const int = (min: number, max: number) =>
  z
    .number({ invalid_type_error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be ${min} or more`)
    .max(max, `must be at most ${max}`)
    .nullable()
    .optional();
const unit = z
  .number({ invalid_type_error: 'must be a number' })
  .min(0, 'must be 0..1')
  .max(1, 'must be 0..1')
  .nullable()
  .optional();
const str = (max: number) =>
  z
    .string({ invalid_type_error: 'must be a string' })
    .max(max, `must be at most ${max} characters`)
    .nullable()
    .optional();
const bool = z.boolean({ invalid_type_error: 'must be true or false' }).nullable().optional();

/**
 * Open WebUI's ConfigForm, the keys this installation has (null or absent: unchanged). Other keys of
 * Open WebUI's form (web search, content extraction, ...) are dropped, so its admin screen can post here.
 */
export const configForm = z.object({
  RAG_TEMPLATE: str(100_000),
  TOP_K: int(1, 100),
  BYPASS_EMBEDDING_AND_RETRIEVAL: bool,
  ENABLE_RAG_HYBRID_SEARCH: bool,
  TOP_K_RERANKER: int(1, 100),
  RELEVANCE_THRESHOLD: unit,
  HYBRID_BM25_WEIGHT: unit,
  RAG_RERANKING_ENGINE: str(50),
  RAG_RERANKING_MODEL: str(500),
  RAG_EXTERNAL_RERANKER_URL: str(2_000),
  RAG_EXTERNAL_RERANKER_API_KEY: str(2_000),
  TEXT_SPLITTER: str(50),
  CHUNK_SIZE: int(1, 1_000_000),
  CHUNK_OVERLAP: int(0, 1_000_000),
  RAG_FULL_TEXT_SEARCH_LANGUAGE: str(63),
});
export type ConfigForm = z.infer<typeof configForm>;

const endpointForm = z
  .object({ url: str(2_000), key: str(2_000) }, { invalid_type_error: 'must be {url, key}' })
  .nullable()
  .optional();

/** Open WebUI's EmbeddingModelUpdateForm (no Azure here). */
export const embeddingForm = z.object({
  embedding_engine: z
    .string({ required_error: 'is required', invalid_type_error: 'must be a string' })
    .max(50),
  embedding_model: z
    .string({ required_error: 'is required', invalid_type_error: 'must be a string' })
    .max(500),
  embedding_batch_size: int(1, 2_048),
  openai_config: endpointForm,
  ollama_config: endpointForm,
});
export type EmbeddingForm = z.infer<typeof embeddingForm>;

export type Settings = Omit<retrievalV1.RetrievalSettings, '$typeName' | '$unknown'>;

const pick = <T>(value: T | null | undefined, current: T): T =>
  value === null || value === undefined ? current : value;

/** The saved settings with the form's changes over them. */
export function settingsWithConfig(s: Settings, f: ConfigForm): Settings {
  return {
    ...s,
    template: pick(f.RAG_TEMPLATE, s.template),
    topK: pick(f.TOP_K, s.topK),
    bypassEmbeddingAndRetrieval: pick(f.BYPASS_EMBEDDING_AND_RETRIEVAL, s.bypassEmbeddingAndRetrieval),
    hybridSearch: pick(f.ENABLE_RAG_HYBRID_SEARCH, s.hybridSearch),
    topKReranker: pick(f.TOP_K_RERANKER, s.topKReranker),
    relevanceThreshold: pick(f.RELEVANCE_THRESHOLD, s.relevanceThreshold),
    hybridBm25Weight: pick(f.HYBRID_BM25_WEIGHT, s.hybridBm25Weight),
    rerankingEngine: pick(f.RAG_RERANKING_ENGINE, s.rerankingEngine),
    rerankingModel: pick(f.RAG_RERANKING_MODEL, s.rerankingModel),
    externalRerankerUrl: pick(f.RAG_EXTERNAL_RERANKER_URL, s.externalRerankerUrl),
    externalRerankerApiKey: pick(f.RAG_EXTERNAL_RERANKER_API_KEY, s.externalRerankerApiKey),
    textSplitter: pick(f.TEXT_SPLITTER, s.textSplitter),
    chunkSize: pick(f.CHUNK_SIZE, s.chunkSize),
    chunkOverlap: pick(f.CHUNK_OVERLAP, s.chunkOverlap),
    fullTextSearchLanguage: pick(f.RAG_FULL_TEXT_SEARCH_LANGUAGE, s.fullTextSearchLanguage),
  };
}

export function settingsWithEmbedding(s: Settings, f: EmbeddingForm): Settings {
  return {
    ...s,
    embeddingEngine: f.embedding_engine,
    embeddingModel: f.embedding_model,
    embeddingBatchSize: pick(f.embedding_batch_size, s.embeddingBatchSize),
    openaiApiBaseUrl: pick(f.openai_config?.url, s.openaiApiBaseUrl),
    openaiApiKey: pick(f.openai_config?.key, s.openaiApiKey),
    ollamaBaseUrl: pick(f.ollama_config?.url, s.ollamaBaseUrl),
  };
}

type SettingsAnswer = {
  settings?: retrievalV1.RetrievalSettings;
  reindex?: retrievalV1.ReindexProgress;
  embeddingDimensions: number;
};

function extras(a: SettingsAnswer) {
  return {
    reindex: {
      running: a.reindex?.running ?? false,
      total: a.reindex?.total ?? 0,
      done: a.reindex?.done ?? 0,
      failed: a.reindex?.failed ?? 0,
    },
    embedding_dimensions: a.embeddingDimensions,
  };
}

export function configJson(a: SettingsAnswer) {
  const s = a.settings;
  return {
    status: true as const,
    RAG_TEMPLATE: s?.template ?? '',
    TOP_K: s?.topK ?? 0,
    BYPASS_EMBEDDING_AND_RETRIEVAL: s?.bypassEmbeddingAndRetrieval ?? false,
    ENABLE_RAG_HYBRID_SEARCH: s?.hybridSearch ?? false,
    TOP_K_RERANKER: s?.topKReranker ?? 0,
    RELEVANCE_THRESHOLD: s?.relevanceThreshold ?? 0,
    HYBRID_BM25_WEIGHT: s?.hybridBm25Weight ?? 0,
    RAG_RERANKING_ENGINE: s?.rerankingEngine ?? '',
    RAG_RERANKING_MODEL: s?.rerankingModel ?? '',
    RAG_EXTERNAL_RERANKER_URL: s?.externalRerankerUrl ?? '',
    RAG_EXTERNAL_RERANKER_API_KEY: s?.externalRerankerApiKey ?? '',
    TEXT_SPLITTER: s?.textSplitter ?? '',
    CHUNK_SIZE: s?.chunkSize ?? 0,
    CHUNK_OVERLAP: s?.chunkOverlap ?? 0,
    RAG_FULL_TEXT_SEARCH_LANGUAGE: s?.fullTextSearchLanguage ?? '',
    RAG_EMBEDDING_ENGINE: s?.embeddingEngine ?? '',
    RAG_EMBEDDING_MODEL: s?.embeddingModel ?? '',
    ...extras(a),
  };
}

export function embeddingJson(a: SettingsAnswer) {
  const s = a.settings;
  return {
    status: true as const,
    embedding_engine: s?.embeddingEngine ?? '',
    embedding_model: s?.embeddingModel ?? '',
    embedding_batch_size: s?.embeddingBatchSize ?? 0,
    openai_config: { url: s?.openaiApiBaseUrl ?? '', key: s?.openaiApiKey ?? '' },
    // Ollama servers take no key here.
    ollama_config: { url: s?.ollamaBaseUrl ?? '', key: '' },
    ...extras(a),
  };
}
