import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pgvector from 'pgvector';
import type {
  ChunkInput,
  KeywordQuery,
  ScoredChunk,
  SourceRow,
  SourceState,
  VectorQuery,
  VectorStore,
} from './vector-store';

/** The vector store's own schema (apart from Prisma's "retrieval": it may be another database). */
const SCHEMA = 'retrieval_index';

/**
 * The store's migrations, applied in order at start under a transaction-scoped advisory lock (a second
 * copy waits, then finds them applied). Numbered; never edit one that shipped, add the next.
 */
const MIGRATIONS: Array<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE IF NOT EXISTS ${SCHEMA}.sources (
        id uuid PRIMARY KEY,
        kind text NOT NULL,
        owner_user_id uuid NOT NULL,
        name text NOT NULL,
        content_sha256 text NOT NULL DEFAULT '',
        embedding_model text NOT NULL DEFAULT '',
        state text NOT NULL DEFAULT 'pending',
        chunk_count integer NOT NULL DEFAULT 0,
        error text NOT NULL DEFAULT '',
        text_content text,
        indexed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS sources_embedding_model_idx ON ${SCHEMA}.sources (embedding_model);
      CREATE TABLE IF NOT EXISTS ${SCHEMA}.chunks (
        id uuid PRIMARY KEY,
        source_id uuid NOT NULL REFERENCES ${SCHEMA}.sources (id) ON DELETE CASCADE,
        position integer NOT NULL,
        text text NOT NULL,
        page integer NOT NULL DEFAULT 0,
        heading text NOT NULL DEFAULT '',
        embedding vector,
        dims integer NOT NULL DEFAULT 0,
        embedding_model text NOT NULL DEFAULT '',
        tsv tsvector NOT NULL,
        UNIQUE (source_id, position)
      );
      CREATE INDEX IF NOT EXISTS chunks_tsv_idx ON ${SCHEMA}.chunks USING gin (tsv);
    `,
  },
];

const DIMENSIONS_MAX = 16_000;

/** pgvector over the PostgreSQL wire protocol (a PostgreSQL with the extension, or PGlite in tests). */
export class PgVectorStore implements VectorStore {
  private readonly pool: pg.Pool;
  /** Dimensions whose HNSW index is known to exist. */
  private readonly indexed = new Set<number>();
  private closed = false;
  /** Chunks written since the last ANALYZE, and the table's size then (see analyzeWhenGrown). */
  private writtenSinceAnalyze = 0;
  private rowsAtAnalyze = 0;
  private analyzing = false;

  constructor(
    url: string,
    poolSize: number,
    private readonly efSearch: number,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'parley-retrieval' });
    // An idle client's error (the server restarted) must not end the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await this.pool.query('CREATE EXTENSION IF NOT EXISTS vector');
    await this.transaction(async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('${SCHEMA} migrations'))`);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${SCHEMA}.migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${SCHEMA}.migrations`);
      const applied = new Set(rows.map((r) => r.version));
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${SCHEMA}.migrations (version) VALUES ($1)`, [migration.version]);
      }
    });
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async getSource(id: string): Promise<SourceRow | null> {
    const { rows } = await this.pool.query(`SELECT * FROM ${SCHEMA}.sources WHERE id = $1`, [id]);
    return rows[0] ? toSource(rows[0]) : null;
  }

  async upsertSource(row: Omit<SourceRow, 'chunkCount' | 'indexedAt'>): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${SCHEMA}.sources (id, kind, owner_user_id, name, content_sha256, embedding_model, state, error, text_content)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET owner_user_id = EXCLUDED.owner_user_id, name = EXCLUDED.name,
         state = EXCLUDED.state, error = EXCLUDED.error,
         text_content = COALESCE(EXCLUDED.text_content, ${SCHEMA}.sources.text_content), updated_at = now()`,
      [
        row.id,
        row.kind,
        row.ownerUserId,
        row.name,
        row.contentSha256,
        row.embeddingModel,
        row.state,
        row.error,
        row.textContent,
      ],
    );
  }

  async setSourceState(id: string, state: SourceState, error = ''): Promise<void> {
    await this.pool.query(
      `UPDATE ${SCHEMA}.sources SET state = $2, error = $3, updated_at = now() WHERE id = $1`,
      [id, state, error],
    );
  }

  async replaceChunks(
    sourceId: string,
    chunks: ChunkInput[],
    meta: { contentSha256: string; embeddingModel: string; language: string },
  ): Promise<void> {
    const dims = chunks.find((c) => c.embedding)?.embedding?.length ?? 0;
    if (dims > DIMENSIONS_MAX) throw new Error(`${dims} dimensions are more than pgvector stores`);
    if (dims) await this.ensureIndex(dims);
    await this.transaction(async (client) => {
      // Two copies indexing the same file (a redelivery while the first still runs) take turns.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [sourceId]);
      await client.query(`DELETE FROM ${SCHEMA}.chunks WHERE source_id = $1`, [sourceId]);
      // Rows in batches: one statement per ~200 chunks keeps the parameter count far below 65,535.
      for (let start = 0; start < chunks.length; start += 200) {
        const batch = chunks.slice(start, start + 200);
        const values: unknown[] = [];
        const tuples = batch.map((chunk, i) => {
          const base = i * 7;
          values.push(
            randomUUID(),
            sourceId,
            chunk.position,
            chunk.text,
            chunk.page,
            chunk.heading,
            chunk.embedding ? pgvector.toSql(chunk.embedding) : null,
          );
          return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7}::vector, ${chunk.embedding ? dims : 0}, $${batch.length * 7 + 1}, to_tsvector($${batch.length * 7 + 2}::regconfig, $${base + 4}))`;
        });
        values.push(meta.embeddingModel, meta.language);
        await client.query(
          `INSERT INTO ${SCHEMA}.chunks (id, source_id, position, text, page, heading, embedding, dims, embedding_model, tsv) VALUES ${tuples.join(', ')}`,
          values,
        );
      }
      await client.query(
        `UPDATE ${SCHEMA}.sources SET state = 'indexed', error = '', chunk_count = $2, content_sha256 = $3,
           embedding_model = $4, indexed_at = now(), updated_at = now() WHERE id = $1`,
        [sourceId, chunks.length, meta.contentSha256, meta.embeddingModel],
      );
    });
    this.analyzeWhenGrown(chunks.length);
  }

  /**
   * Fresh planner statistics once the table grew by a fifth (at least 1,000 chunks) since the last
   * ANALYZE. PostgreSQL's autovacuum does this too; PGlite runs none, and without statistics the planner
   * scans every chunk instead of taking the HNSW index (about 10x slower at 10k chunks).
   */
  private analyzeWhenGrown(written: number): void {
    this.writtenSinceAnalyze += written;
    if (this.analyzing || this.writtenSinceAnalyze < Math.max(1_000, this.rowsAtAnalyze / 5)) return;
    this.analyzing = true;
    void (async () => {
      try {
        await this.pool.query(`ANALYZE ${SCHEMA}.chunks`);
        const { rows } = await this.pool.query<{ n: string }>(
          `SELECT reltuples::bigint AS n FROM pg_class WHERE oid = '${SCHEMA}.chunks'::regclass`,
        );
        this.rowsAtAnalyze = Math.max(0, Number(rows[0]?.n ?? 0));
        this.writtenSinceAnalyze = 0;
      } catch {
        // Statistics are an optimisation: the next write tries again.
      } finally {
        this.analyzing = false;
      }
    })();
  }

  async deleteSource(id: string): Promise<boolean> {
    const result = await this.pool.query(`DELETE FROM ${SCHEMA}.sources WHERE id = $1`, [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async sourceStates(ids: string[]): Promise<SourceRow[]> {
    if (!ids.length) return [];
    const { rows } = await this.pool.query(
      `SELECT id, kind, owner_user_id, name, content_sha256, embedding_model, state, chunk_count, error, NULL AS text_content, indexed_at
       FROM ${SCHEMA}.sources WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map(toSource);
  }

  async staleSourceIds(embeddingModel: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM ${SCHEMA}.sources WHERE embedding_model <> $1 AND state <> 'failed' ORDER BY id LIMIT $2`,
      [embeddingModel, limit],
    );
    return rows.map((r) => r.id);
  }

  async countSources(): Promise<{ total: number; unfinished: number; failed: number }> {
    const { rows } = await this.pool.query<{ total: string; unfinished: string; failed: string }>(
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE state IN ('pending', 'indexing')) AS unfinished,
              count(*) FILTER (WHERE state = 'failed') AS failed
       FROM ${SCHEMA}.sources`,
    );
    const row = rows[0]!;
    return { total: Number(row.total), unfinished: Number(row.unfinished), failed: Number(row.failed) };
  }

  async markAllPending(): Promise<number> {
    const result = await this.pool.query(
      `UPDATE ${SCHEMA}.sources SET state = 'pending', error = '', updated_at = now()`,
    );
    return result.rowCount ?? 0;
  }

  async allSourceIds(afterId: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM ${SCHEMA}.sources WHERE id > $1::uuid ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map((r) => r.id);
  }

  async searchVector(query: VectorQuery): Promise<ScoredChunk[]> {
    const dims = query.embedding.length;
    if (!query.sourceIds.length || !dims || dims > DIMENSIONS_MAX) return [];
    const column = `(c.embedding::vector(${dims}))`;
    const sql = `SELECT c.id, c.source_id, s.name AS source_name, c.position, c.text, c.page, c.heading,
                        1 - (${column} <=> $1::vector(${dims})) AS score
                 FROM ${SCHEMA}.chunks c JOIN ${SCHEMA}.sources s ON s.id = c.source_id
                 WHERE c.dims = ${dims} AND c.embedding_model = $2 AND c.source_id = ANY($3::uuid[])
                 ORDER BY ${column} <=> $1::vector(${dims}) LIMIT $4`;
    const params = [pgvector.toSql(query.embedding), query.embeddingModel, query.sourceIds, query.limit];
    return this.transaction(async (client) => {
      if (query.exact) {
        await client.query('SET LOCAL enable_indexscan = off');
      } else {
        await client.query(`SET LOCAL hnsw.ef_search = ${Math.max(this.efSearch, query.limit)}`);
        // Keep scanning the graph until enough rows pass the source filter (pgvector 0.8; an older
        // pgvector lacks the setting, and the savepoint keeps its refusal from aborting the query).
        await client.query('SAVEPOINT iterative_scan');
        await client
          .query("SET LOCAL hnsw.iterative_scan = 'relaxed_order'")
          .catch(() => client.query('ROLLBACK TO SAVEPOINT iterative_scan'));
      }
      const { rows } = await client.query(sql, params);
      return rows.map(toChunk);
    });
  }

  async searchKeyword(query: KeywordQuery): Promise<ScoredChunk[]> {
    if (!query.sourceIds.length) return [];
    // Any of the question's words (an OR of its lexemes), ranked by ts_rank_cd: a question rarely
    // shares every word with the passage that answers it.
    const { rows } = await this.pool.query(
      `WITH q AS (
         SELECT NULLIF(array_to_string(ARRAY(
           SELECT quote_literal(lexeme) FROM unnest(to_tsvector($1::regconfig, $2)) AS t(lexeme, positions, weights)
         ), ' | '), '')::tsquery AS query
       )
       SELECT c.id, c.source_id, s.name AS source_name, c.position, c.text, c.page, c.heading,
              ts_rank_cd(c.tsv, q.query) AS score
       FROM q, ${SCHEMA}.chunks c JOIN ${SCHEMA}.sources s ON s.id = c.source_id
       WHERE q.query IS NOT NULL AND c.source_id = ANY($3::uuid[]) AND c.tsv @@ q.query
       ORDER BY score DESC, c.source_id, c.position LIMIT $4`,
      [query.language, query.text, query.sourceIds, query.limit],
    );
    return rows.map(toChunk);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** One HNSW index per dimension count, over the rows of that count (pgvector indexes fixed sizes). */
  private async ensureIndex(dims: number): Promise<void> {
    if (this.indexed.has(dims)) return;
    await this.pool.query(
      `CREATE INDEX IF NOT EXISTS chunks_hnsw_${dims}_idx ON ${SCHEMA}.chunks
       USING hnsw ((embedding::vector(${dims})) vector_cosine_ops) WHERE dims = ${dims}`,
    );
    this.indexed.add(dims);
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

type Row = Record<string, unknown>;

function toSource(row: Row): SourceRow {
  return {
    id: String(row.id),
    kind: row.kind as SourceRow['kind'],
    ownerUserId: String(row.owner_user_id),
    name: String(row.name),
    contentSha256: String(row.content_sha256),
    embeddingModel: String(row.embedding_model),
    state: row.state as SourceState,
    chunkCount: Number(row.chunk_count),
    error: String(row.error),
    textContent: (row.text_content as string | null) ?? null,
    indexedAt: (row.indexed_at as Date | null) ?? null,
  };
}

function toChunk(row: Row): ScoredChunk {
  return {
    id: String(row.id),
    sourceId: String(row.source_id),
    sourceName: String(row.source_name),
    position: Number(row.position),
    text: String(row.text),
    page: Number(row.page),
    heading: String(row.heading),
    score: Number(row.score),
  };
}
