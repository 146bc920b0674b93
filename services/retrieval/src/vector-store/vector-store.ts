/**
 * Where chunks, their vectors and their full-text index live. One interface, so another engine can be
 * added beside pgvector (VECTOR_DB); every method filters by the source ids it is given, so what a
 * caller may read is decided by the caller of the store (the search service) and enforced in the query.
 */
export type SourceKind = 'file' | 'text';
export type SourceState = 'pending' | 'indexing' | 'indexed' | 'failed';

export interface SourceRow {
  id: string;
  kind: SourceKind;
  ownerUserId: string;
  name: string;
  /** SHA-256 of the text the chunks were made from ("" before the first indexing). */
  contentSha256: string;
  /** The embedding model of the chunks ("" keyword-only). */
  embeddingModel: string;
  state: SourceState;
  chunkCount: number;
  error: string;
  /** The text itself, for text sources (files keep theirs in the files service). */
  textContent: string | null;
  indexedAt: Date | null;
}

export interface ChunkInput {
  position: number;
  text: string;
  page: number;
  heading: string;
  /** Absent in keyword-only mode. */
  embedding?: number[];
}

export interface StoredChunk {
  id: string;
  sourceId: string;
  sourceName: string;
  position: number;
  text: string;
  page: number;
  heading: string;
}

export interface ScoredChunk extends StoredChunk {
  score: number;
}

export interface VectorQuery {
  sourceIds: string[];
  embedding: number[];
  embeddingModel: string;
  limit: number;
  /** Exact (sequential) scan instead of the HNSW index: the benchmark's reference. */
  exact?: boolean;
}

export interface KeywordQuery {
  sourceIds: string[];
  text: string;
  language: string;
  limit: number;
}

export interface VectorStore {
  /** Creates the extension, schema and tables when missing (idempotent, safe from several copies). */
  migrate(): Promise<void>;
  ping(): Promise<void>;

  getSource(id: string): Promise<SourceRow | null>;
  /** Creates or updates the source's row (not its chunks). */
  upsertSource(row: Omit<SourceRow, 'chunkCount' | 'indexedAt'> & { chunkCount?: number }): Promise<void>;
  setSourceState(id: string, state: SourceState, error?: string): Promise<void>;
  /**
   * Replaces every chunk of a source in one transaction and marks it indexed: a crash leaves either the
   * old chunks or the new ones, never a mix or a duplicate.
   */
  replaceChunks(
    sourceId: string,
    chunks: ChunkInput[],
    meta: { contentSha256: string; embeddingModel: string; language: string },
  ): Promise<void>;
  deleteSource(id: string): Promise<boolean>;
  /** The states of these sources (unknown ids are left out). */
  sourceStates(ids: string[]): Promise<SourceRow[]>;
  /** Sources not indexed with `embeddingModel` yet (a re-index's work). */
  staleSourceIds(embeddingModel: string, limit: number): Promise<string[]>;
  countSources(): Promise<{ total: number; unfinished: number; failed: number }>;
  /** Marks every source pending (a full re-index); returns how many. */
  markAllPending(): Promise<number>;
  allSourceIds(afterId: string, limit: number): Promise<string[]>;

  searchVector(query: VectorQuery): Promise<ScoredChunk[]>;
  searchKeyword(query: KeywordQuery): Promise<ScoredChunk[]>;
  close(): Promise<void>;
}

export const VECTOR_STORE = Symbol('VECTOR_STORE');
