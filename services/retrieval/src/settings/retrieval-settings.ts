import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, type Logger } from '@parley/logging';
import { CachedTable, EVENTS, NatsClient } from '@parley/nats';
import { SecretBox } from '@parley/secrets';
import { PrismaService } from '../database/prisma.service';
import { RETRIEVAL_CONFIG, RetrievalConfig } from '../retrieval.config';

/** The runtime settings (RetrievalSettings in the proto), with the API keys in the clear. */
export interface Settings {
  embeddingEngine: '' | 'openai' | 'ollama';
  embeddingModel: string;
  embeddingBatchSize: number;
  openaiApiBaseUrl: string;
  openaiApiKey: string;
  ollamaBaseUrl: string;
  chunkSize: number;
  chunkOverlap: number;
  textSplitter: 'character' | 'token';
  topK: number;
  topKReranker: number;
  relevanceThreshold: number;
  hybridSearch: boolean;
  hybridBm25Weight: number;
  rerankingEngine: '' | 'external';
  rerankingModel: string;
  externalRerankerUrl: string;
  externalRerankerApiKey: string;
  template: string;
  bypassEmbeddingAndRetrieval: boolean;
  fullTextSearchLanguage: string;
}

export interface SettingsState {
  settings: Settings;
  embeddingDims: number;
  reindexTotal: number;
}

/** The embedding model's identity: chunks made with another are stale (re-indexed in the background). */
export function embeddingIdentity(s: Pick<Settings, 'embeddingEngine' | 'embeddingModel'>): string {
  return s.embeddingEngine && s.embeddingModel ? `${s.embeddingEngine}:${s.embeddingModel}` : '';
}

export const DEFAULT_RAG_TEMPLATE = `### Task
Answer the user's query using the context below. Each source is numbered with an id; when you use a
source, cite it inline as [id] (for example [1]). Use only what the context supports; if it does not
hold the answer, say so plainly and answer from general knowledge only where that is safe.
Answer in the language of the query.

<context>
{{CONTEXT}}
</context>

<user_query>
{{QUERY}}
</user_query>`;

const SECRET_FIELDS = ['openaiApiKey', 'externalRerankerApiKey'] as const;

function defaults(config: RetrievalConfig): Settings {
  return {
    embeddingEngine: config.RAG_EMBEDDING_ENGINE,
    embeddingModel: config.RAG_EMBEDDING_MODEL,
    embeddingBatchSize: config.RAG_EMBEDDING_BATCH_SIZE,
    openaiApiBaseUrl: config.RAG_OPENAI_API_BASE_URL,
    openaiApiKey: config.RAG_OPENAI_API_KEY,
    ollamaBaseUrl: config.RAG_OLLAMA_BASE_URL,
    chunkSize: config.CHUNK_SIZE,
    chunkOverlap: config.CHUNK_OVERLAP,
    textSplitter: config.RAG_TEXT_SPLITTER,
    topK: config.RAG_TOP_K,
    topKReranker: config.RAG_TOP_K_RERANKER,
    relevanceThreshold: config.RAG_RELEVANCE_THRESHOLD,
    hybridSearch: config.ENABLE_RAG_HYBRID_SEARCH,
    hybridBm25Weight: config.RAG_HYBRID_BM25_WEIGHT,
    rerankingEngine: config.RAG_RERANKING_ENGINE,
    rerankingModel: config.RAG_RERANKING_MODEL,
    externalRerankerUrl: config.RAG_EXTERNAL_RERANKER_URL,
    externalRerankerApiKey: config.RAG_EXTERNAL_RERANKER_API_KEY,
    template: config.RAG_TEMPLATE || DEFAULT_RAG_TEMPLATE,
    bypassEmbeddingAndRetrieval: config.BYPASS_EMBEDDING_AND_RETRIEVAL,
    fullTextSearchLanguage: config.RAG_FULL_TEXT_SEARCH_LANGUAGE,
  };
}

const invalid = (field: string, why: string) =>
  new DomainError(ErrorKind.InvalidArgument, `${field} ${why}.`, { code: 'INVALID_RETRIEVAL_SETTINGS' });

const URL_FIELDS = ['openaiApiBaseUrl', 'ollamaBaseUrl', 'externalRerankerUrl'] as const;

/** Checks a full settings object; the messages name Open WebUI's settings. */
export function validateSettings(s: Settings): Settings {
  if (!['', 'openai', 'ollama'].includes(s.embeddingEngine))
    throw invalid('RAG_EMBEDDING_ENGINE', 'must be "openai", "ollama" or empty');
  if (s.embeddingEngine && !s.embeddingModel.trim())
    throw invalid('RAG_EMBEDDING_MODEL', 'is needed when an embedding engine is set');
  if (!['character', 'token'].includes(s.textSplitter))
    throw invalid('RAG_TEXT_SPLITTER', 'must be "character" or "token"');
  if (!['', 'external'].includes(s.rerankingEngine))
    throw invalid('RAG_RERANKING_ENGINE', 'must be "external" or empty');
  if (s.rerankingEngine === 'external' && !s.externalRerankerUrl)
    throw invalid('RAG_EXTERNAL_RERANKER_URL', 'is needed for the external reranker');
  const ints: Array<[keyof Settings, number, number, string]> = [
    ['chunkSize', 20, 100_000, 'CHUNK_SIZE'],
    ['chunkOverlap', 0, 50_000, 'CHUNK_OVERLAP'],
    ['topK', 1, 100, 'RAG_TOP_K'],
    ['topKReranker', 1, 100, 'RAG_TOP_K_RERANKER'],
    ['embeddingBatchSize', 1, 2_048, 'RAG_EMBEDDING_BATCH_SIZE'],
  ];
  for (const [key, min, max, name] of ints) {
    const v = s[key] as number;
    if (!Number.isInteger(v) || v < min || v > max)
      throw invalid(name, `must be a whole number ${min}..${max}`);
  }
  if (s.chunkOverlap >= s.chunkSize) throw invalid('CHUNK_OVERLAP', 'must be smaller than CHUNK_SIZE');
  for (const [key, name] of [
    ['relevanceThreshold', 'RAG_RELEVANCE_THRESHOLD'],
    ['hybridBm25Weight', 'RAG_HYBRID_BM25_WEIGHT'],
  ] as const)
    if (!(s[key] >= 0 && s[key] <= 1)) throw invalid(name, 'must be between 0 and 1');
  for (const key of URL_FIELDS) {
    const value = s[key];
    if (!value) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw invalid(key, 'must be an http(s) URL');
    }
    if (!['http:', 'https:'].includes(url.protocol)) throw invalid(key, 'must be an http(s) URL');
  }
  if (!/^[a-z_]{2,63}$/.test(s.fullTextSearchLanguage))
    throw invalid('RAG_FULL_TEXT_SEARCH_LANGUAGE', 'must be a text search configuration name, e.g. english');
  if (!s.template.includes('{{CONTEXT}}')) throw invalid('RAG_TEMPLATE', 'must contain {{CONTEXT}}');
  if (s.template.length > 20_000) throw invalid('RAG_TEMPLATE', 'must be at most 20,000 characters');
  return s;
}

/**
 * The retrieval settings: the env's values until an admin saves others (then the saved row, on every
 * copy: a save drops every copy's cached copy through `retrieval.settings_changed`). API keys are
 * sealed at rest with WEBUI_SECRET_KEY.
 */
@Injectable()
export class RetrievalSettingsService implements OnModuleInit {
  private readonly box?: SecretBox;
  private readonly table: CachedTable<SettingsState>;

  constructor(
    @Inject(RETRIEVAL_CONFIG) private readonly config: RetrievalConfig,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(NatsClient) nats: NatsClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    if (config.WEBUI_SECRET_KEY) this.box = new SecretBox(config.WEBUI_SECRET_KEY, 'retrieval api keys');
    this.table = new CachedTable(() => this.load(), 30_000, nats, EVENTS.retrievalSettingsChanged, logger);
  }

  onModuleInit(): void {
    this.table.listen();
  }

  get(): Promise<SettingsState> {
    return this.table.get();
  }

  async settings(): Promise<Settings> {
    return (await this.get()).settings;
  }

  /**
   * Saves a full settings object. Returns whether the embedding model changed (the caller starts the
   * re-index). A key sent as the masked value the answers carry keeps the saved key.
   */
  async save(next: Settings): Promise<{ state: SettingsState; embeddingChanged: boolean }> {
    const current = await this.get();
    for (const key of SECRET_FIELDS) if (isMasked(next[key])) next[key] = current.settings[key];
    validateSettings(next);
    const data: Record<string, unknown> = { ...next };
    for (const key of SECRET_FIELDS) {
      if (!next[key] || next[key] === defaults(this.config)[key]) {
        data[key] = next[key] ? { env: true } : '';
        continue;
      }
      if (!this.box)
        throw new DomainError(
          ErrorKind.FailedPrecondition,
          'Saving an API key needs WEBUI_SECRET_KEY on the retrieval service (keys are stored encrypted); set it, or pass the key as RAG_OPENAI_API_KEY / RAG_EXTERNAL_RERANKER_API_KEY.',
          { code: 'SECRET_KEY_MISSING' },
        );
      data[key] = { sealed: this.box.seal(next[key]) };
    }
    const embeddingChanged = embeddingIdentity(next) !== embeddingIdentity(current.settings);
    await this.write({
      data: data as object,
      ...(embeddingChanged ? { embeddingDims: 0 } : {}),
      updatedAt: new Date(),
    });
    return { state: await this.get(), embeddingChanged };
  }

  /** The vectors' dimensions, from the model's first answer. */
  async setEmbeddingDims(dims: number): Promise<void> {
    await this.write({ embeddingDims: dims });
  }

  async setReindexTotal(total: number): Promise<void> {
    await this.write({ reindexTotal: total, reindexStarted: new Date() });
  }

  /**
   * Changes the one settings row, making it first if there is none. Not Prisma's upsert: two copies
   * (or an admin's save and an indexing job) creating the row at once would make one of them fail on
   * the primary key; an insert that skips an existing row, then an update, cannot.
   */
  private async write(change: {
    data?: object;
    embeddingDims?: number;
    reindexTotal?: number;
    reindexStarted?: Date;
    updatedAt?: Date;
  }): Promise<void> {
    await this.prisma.retrievalSettings.createMany({ data: [{ id: 1, data: {} }], skipDuplicates: true });
    await this.prisma.retrievalSettings.update({ where: { id: 1 }, data: change });
    this.table.changed();
  }

  private async load(): Promise<SettingsState> {
    const row = await this.prisma.retrievalSettings.findUnique({ where: { id: 1 } });
    const base = defaults(this.config);
    const saved = (row?.data ?? {}) as Record<string, unknown>;
    const settings = { ...base } as Record<string, unknown>;
    for (const key of Object.keys(base) as Array<keyof Settings>) {
      if (!(key in saved)) continue;
      const value = saved[key];
      if ((SECRET_FIELDS as readonly string[]).includes(key)) {
        settings[key] = this.openSecret(value, base[key] as string);
      } else if (typeof value === typeof base[key]) {
        settings[key] = value;
      }
    }
    return {
      settings: settings as unknown as Settings,
      embeddingDims: row?.embeddingDims ?? 0,
      reindexTotal: row?.reindexTotal ?? 0,
    };
  }

  private openSecret(value: unknown, envValue: string): string {
    if (value === '') return '';
    if (value && typeof value === 'object' && 'sealed' in value && this.box) {
      try {
        return this.box.open(String((value as { sealed: unknown }).sealed));
      } catch (error) {
        this.logger.error(
          { err: error },
          'a saved retrieval API key cannot be opened (WEBUI_SECRET_KEY changed?)',
        );
        return '';
      }
    }
    return envValue;
  }
}

/** What answers show instead of a key: enough to recognise it, never the key. */
export function maskKey(key: string): string {
  if (!key) return '';
  return key.length <= 8 ? '••••' : `${key.slice(0, 3)}••••${key.slice(-2)}`;
}

const isMasked = (value: string) => value.includes('••••');
