import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import type { UserCaller } from '@parley/grpc';
import { fileNotFound, UUID } from '../files/file-ids';
import { FilesClient } from '../files/files.client';
import { ModelServerClient } from '../indexing/model-server.client';
import { KnowledgeService } from '../knowledge/knowledge.service';
import { embeddingIdentity, RetrievalSettingsService, type Settings } from '../settings/retrieval-settings';
import { VECTOR_STORE, type ScoredChunk, type VectorStore } from '../vector-store/vector-store';

export type Target = { fileId: string } | { knowledgeBaseId: string };
export type Mode = 'hybrid' | 'vector' | 'keyword';

export interface Hit extends ScoredChunk {
  /** The knowledge base through which the caller reached the chunk ("" for a file target). */
  knowledgeBaseId: string;
}

export interface SearchResult {
  hits: Hit[];
  mode: Mode;
  reranked: boolean;
}

export interface SearchInput {
  query: string;
  targets: Target[];
  topK?: number;
  mode?: Mode;
  relevanceThreshold?: number;
}

/** Reciprocal rank fusion's constant (the usual 60: ranks far down still count a little). */
const RRF_K = 60;

const invalid = (message: string) =>
  new DomainError(ErrorKind.InvalidArgument, message, { code: 'INVALID_SEARCH' });

/**
 * Fuses two rankings by reciprocal rank, `keywordWeight` for the keyword one (0..1). Scores are scaled
 * so first place in both rankings is 1: a relevance people can read, not RRF's raw 1/61.
 */
export function fuse(vector: ScoredChunk[], keyword: ScoredChunk[], keywordWeight: number): ScoredChunk[] {
  const fused = new Map<string, ScoredChunk>();
  const add = (list: ScoredChunk[], weight: number) =>
    list.forEach((chunk, rank) => {
      const score = (weight * (RRF_K + 1)) / (RRF_K + rank + 1);
      const seen = fused.get(chunk.id);
      fused.set(chunk.id, { ...(seen ?? chunk), score: (seen?.score ?? 0) + score });
    });
  add(vector, 1 - keywordWeight);
  add(keyword, keywordWeight);
  return [...fused.values()].sort((a, b) => b.score - a.score);
}

/** Keeps the first (best-ranked) chunk of each distinct text. */
export function uniqueByText<T extends { text: string }>(ranked: T[]): T[] {
  const seen = new Set<string>();
  return ranked.filter((c) => {
    const key = c.text.trim();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Search over the sources the caller may read. Targets are resolved to source ids first (a file the
 * caller owns or reaches through a readable knowledge base; anything else is NOT_FOUND), and the store
 * query filters by exactly those ids, so no chunk of another's file can come back.
 */
@Injectable()
export class SearchService {
  constructor(
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    @Inject(KnowledgeService) private readonly knowledge: KnowledgeService,
    @Inject(FilesClient) private readonly files: FilesClient,
    @Inject(ModelServerClient) private readonly models: ModelServerClient,
    @Inject(RetrievalSettingsService) private readonly settings: RetrievalSettingsService,
  ) {}

  async search(user: UserCaller, input: SearchInput): Promise<SearchResult> {
    const query = input.query.trim();
    if (!query) throw invalid('query must not be empty.');
    if (query.length > 4_000) throw invalid('query must be at most 4,000 characters.');
    if (!input.targets.length) throw invalid('Name at least one file or knowledge base to search.');
    if (input.targets.length > 50) throw invalid('At most 50 files and knowledge bases per search.');
    const topK = input.topK ?? 0;
    if (!Number.isInteger(topK) || topK < 0 || topK > 100) throw invalid('top_k must be 0..100.');
    const threshold = input.relevanceThreshold;
    if (threshold !== undefined && !(threshold >= -1 && threshold <= 1))
      throw invalid('relevance_threshold must be between -1 and 1.');

    const via = await this.resolve(user, input.targets);
    const settings = await this.settings.settings();
    const model = embeddingIdentity(settings);
    const asked = input.mode ?? (settings.hybridSearch ? 'hybrid' : 'vector');
    const mode: Mode = model ? asked : 'keyword';
    const k = topK || settings.topK;
    const sourceIds = [...via.keys()];
    if (!sourceIds.length) return { hits: [], mode, reranked: false };

    const reranking = settings.rerankingEngine === 'external' && mode !== 'keyword';
    // The reranker reorders a wider net than it keeps.
    const candidates = reranking ? Math.max(k, settings.topKReranker) * 2 : k;
    const [vector, keyword] = await Promise.all([
      mode === 'keyword' ? [] : this.vectorSearch(settings, query, sourceIds, candidates),
      mode === 'vector'
        ? []
        : this.store.searchKeyword({
            sourceIds,
            text: query,
            language: settings.fullTextSearchLanguage,
            limit: candidates,
          }),
    ]);
    let ranked: ScoredChunk[] =
      mode === 'hybrid'
        ? fuse(vector, keyword, settings.hybridBm25Weight)
        : mode === 'vector'
          ? vector
          : keyword;
    // The same passage from two copies of one document (uploaded twice) is one hit, the better one.
    ranked = uniqueByText(ranked);
    let reranked = false;
    const cut = threshold ?? settings.relevanceThreshold;
    if (reranking && ranked.length) {
      const scores = await this.models.rerank(
        settings,
        query,
        ranked.map((c) => c.text),
      );
      ranked = ranked.map((c, i) => ({ ...c, score: scores[i]! })).sort((a, b) => b.score - a.score);
      ranked = ranked.slice(0, settings.topKReranker).filter((c) => c.score >= cut);
      reranked = true;
    } else {
      if (mode === 'vector') ranked = ranked.filter((c) => c.score >= cut);
      ranked = ranked.slice(0, k);
    }
    return {
      hits: ranked.map((c) => ({ ...c, knowledgeBaseId: via.get(c.sourceId) ?? '' })),
      mode,
      reranked,
    };
  }

  private async vectorSearch(settings: Settings, query: string, sourceIds: string[], limit: number) {
    const [embedding] = await this.models.embed(settings, [query]);
    return this.store.searchVector({
      sourceIds,
      embedding: embedding!,
      embeddingModel: embeddingIdentity(settings),
      limit,
    });
  }

  /** Source id → the knowledge base it was reached through ("" for a file target). */
  private async resolve(user: UserCaller, targets: Target[]): Promise<Map<string, string>> {
    const via = new Map<string, string>();
    const fileIds: string[] = [];
    for (const target of targets) {
      if ('knowledgeBaseId' in target) {
        const base = await this.knowledge.readable(user, target.knowledgeBaseId);
        for (const id of base.fileIds) if (!via.has(id)) via.set(id, base.id);
        continue;
      }
      const id = target.fileId.toLowerCase();
      if (!UUID.test(id)) throw fileNotFound();
      fileIds.push(id);
    }
    // The owners of every file target in one query.
    const owners = new Map((await this.store.sourceStates(fileIds)).map((s) => [s.id, s.ownerUserId]));
    for (const id of fileIds) {
      const own = owners.get(id) === user.userId || (owners.has(id) && user.role === 'admin');
      // Not indexed yet, or someone else's: the files service says whether the caller may read it
      // (its owner, an admin); a file reached only through a knowledge base must be searched as that base.
      if (!own) await this.files.asUser(user, id);
      via.set(id, via.get(id) ?? '');
    }
    return via;
  }
}
