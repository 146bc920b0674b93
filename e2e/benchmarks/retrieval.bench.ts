import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import pgvector from 'pgvector';
import { createGrpcClient } from '@parley/grpc';
import { retrievalV1 } from '@parley/proto';
import {
  eventually,
  freePort,
  repoRoot,
  startServiceProcess,
  Stack,
  startStack,
  testCallerSigning,
  userCaller,
  type ServiceProcess,
} from '@parley/testing';
import { signUp } from '../src/support/http';
import { startFakeLlmProcess } from './fake-llm-process';
import { cpuSeconds } from './process-stats';
import { deltaContent, sseJsonEvents } from './sse-events';

/**
 * Retrieval's costs, each against a baseline in the same run (docs/retrieval.md, issue 14):
 *
 * 1. Indexing: chunks per second through the whole pipeline (text files uploaded through the gateway →
 *    files extraction → file.processed → retrieval chunking, embedding by the fake model server, and
 *    the vector store → indexed), with one retrieval copy, then two, then one again (the ratio is
 *    two copies against the mean of the one-copy runs, so drift on a shared box shows).
 * 2. Chat: time to the first token of /api/chat/completions with a knowledge base attached against the
 *    same chat without one, runs interleaved.
 * 3. Query: BENCH_RETRIEVAL_CHUNKS synthetic 384-dimension chunks (clustered, seeded, so recall means
 *    something) in the store's own tables; vector search through the store's own SQL (PgVectorStore
 *    from dist) with the HNSW index against its exact sequential scan (`exact: true`) on the same data,
 *    recall@10 of the index against the exact answer, index build time, and hybrid search through the
 *    retrieval gRPC Search method. First as the store is after indexing, then after ANALYZE.
 *
 *   npm run build && npx nx run e2e:bench-retrieval
 *   BENCH_RETRIEVAL_CHUNKS=100000 for the second size (minutes on 2 cores: see the README).
 *
 * The fake upstream runs as its own process. Everything talks to 127.0.0.1 only; every loop is bounded.
 */
const CHUNKS = positive('BENCH_RETRIEVAL_CHUNKS', 10_000);
const QUERIES = positive('BENCH_RETRIEVAL_QUERIES', 40);
const FILES = positive('BENCH_RETRIEVAL_FILES', 24);
/** Chunks per cluster (a topic): larger clusters make the nearest ten harder to find. */
const CLUSTER_SIZE = positive('BENCH_RETRIEVAL_CLUSTER_SIZE', 100);
const CHAT_RUNS = positive('BENCH_RETRIEVAL_CHAT_RUNS', 10);
const DIMS = 384;
const EMBEDDING_MODEL = `fake-embed-${DIMS}`;
/** What the store keeps as the chunks' embedding model (engine:model, embeddingIdentity). */
const EMBEDDING_ID = `openai:${EMBEDDING_MODEL}`;
const CHAT_MODEL = 'bench-model';
/** Synthetic sources: a Search names at most 50 targets, and a knowledge base has many files. */
const SOURCES = 20;
const TOP_K = 10;
/** Each file's text: ~24 chunks at the default CHUNK_SIZE (1,000 characters, 100 overlap). */
const FILE_CHARS = 22_000;
const INDEX_TIMEOUT_MS = 300_000;

interface Latency {
  p50: number;
  p95: number;
}

describe('retrieval benchmark', () => {
  let fake: { url: string; stop(): void };
  let fakeUrl: string;
  let stack: Stack;
  let store: pg.Client;
  let token: string;
  let userId: string;
  let rpc: ReturnType<typeof retrievalClient>;
  let extraCopy: ServiceProcess | undefined;
  const lines: string[] = [];
  const figures: Record<string, unknown> = { chunks: CHUNKS, queries: QUERIES, files: FILES };
  const caller = () => userCaller(userId, { role: 'admin', permissions: ['workspace.knowledge'] });

  beforeAll(async () => {
    fake = await startFakeLlmProcess({
      FAKE_LLM_MODELS: CHAT_MODEL,
      FAKE_LLM_EMBEDDING_MODELS: EMBEDDING_MODEL,
      FAKE_LLM_TOKENS: '5',
      FAKE_LLM_TOKEN_DELAY_MS: '5',
      FAKE_LLM_FIRST_TOKEN_DELAY_MS: '20',
    });
    fakeUrl = fake.url;
    stack = await startStack({
      copies: { auth: 1, files: 1, retrieval: 1, 'model-gateway': 1, gateway: 1 },
      env: {
        LOG_LEVEL: 'warn',
        OPENAI_API_BASE_URLS: `${fakeUrl}/v1`,
        OPENAI_API_KEYS: 'sk-bench',
        MODELS_CACHE_TTL: '60',
        ENABLE_TITLE_GENERATION: 'false',
        RAG_EMBEDDING_ENGINE: 'openai',
        RAG_EMBEDDING_MODEL: EMBEDDING_MODEL,
        RAG_OPENAI_API_BASE_URL: `${fakeUrl}/v1`,
      },
    });
    ({ token, id: userId } = await signUp(
      stack.gatewayUrls[0]!,
      'Bench',
      `bench-${randomUUID()}@example.com`,
    ));
    store = new pg.Client({ connectionString: stack.vectorStoreUrl });
    await store.connect();
    rpc = retrievalClient(stack.grpcTargets.retrieval![0]!, stack.callerSecret);
  }, 180_000);

  afterAll(async () => {
    if (lines.length) {
      process.stdout.write(`\nretrieval benchmark\n${lines.join('\n')}\n\n`);
      const outDir = join(repoRoot(), 'e2e', 'output');
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, 'retrieval-bench.json'), JSON.stringify(figures, null, 2));
    }
    rpc?.close();
    await store?.end();
    await extraCopy?.stop();
    await stack?.stop();
    fake?.stop();
  });

  /** Uploads `count` text files through the gateway and waits until retrieval has indexed them all. */
  async function indexPhase(label: string, count: number, seed: number) {
    const texts = Array.from({ length: count }, (_, i) => documentText(seed * 1_000 + i));
    // Where the CPU goes: this process holds PGlite (one backend, one thread) besides the uploader.
    const processes = (): Record<string, number[]> => ({
      'bench+PGlite': [process.pid],
      retrieval: [...stack.services.retrieval!, ...(extraCopy ? [extraCopy] : [])].map((p) => p.child.pid!),
      files: stack.services.files!.map((p) => p.child.pid!),
      gateway: stack.services.gateway!.map((p) => p.child.pid!),
    });
    const cpu = () =>
      Object.fromEntries(
        Object.entries(processes()).map(([name, pids]) => [
          name,
          pids.reduce((t, pid) => t + cpuSeconds(pid), 0),
        ]),
      );
    const cpuBefore = cpu();
    const started = performance.now();
    const ids = await mapLimit(texts, 4, (text, i) => upload(text, `${label}-${i}.txt`));
    const uploadedS = (performance.now() - started) / 1000;
    const chunks = await until(`${count} files indexed (${label})`, INDEX_TIMEOUT_MS, async () => {
      const { rows } = await store.query<{ indexed: string; failed: string; chunks: string | null }>(
        `SELECT count(*) FILTER (WHERE state = 'indexed') AS indexed, count(*) FILTER (WHERE state = 'failed') AS failed,
                sum(chunk_count) AS chunks
         FROM retrieval_index.sources WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      const row = rows[0]!;
      if (Number(row.failed)) throw new Error(`${row.failed} file(s) failed to index (${label})`);
      return Number(row.indexed) === count ? Number(row.chunks) : undefined;
    });
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpu();
    const cpuS = Object.fromEntries(
      Object.entries(cpuAfter).map(([name, t]) => [name, t - cpuBefore[name]!]),
    );
    return { label, files: count, chunks, seconds, uploadedS, chunksPerSecond: chunks / seconds, cpuS, ids };
  }

  async function upload(text: string, filename: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([text], { type: 'text/plain' }), filename);
    const res = await fetch(`${stack.gatewayUrls[0]}/api/v1/files/?process=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    if (res.status !== 200) throw new Error(`upload ${filename}: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  }

  let phaseOneIds: string[] = [];

  it('indexes through the whole pipeline with 1 and 2 retrieval copies', async () => {
    // Warm-up: connections, JIT, the embedding model's first answer, and any file events other suites
    // left in the shared stream (a new consumer replays it) are behind this file.
    await indexPhase('warm-up', 1, 0);
    const one = await indexPhase('1 copy', FILES, 1);
    extraCopy = await startSecondRetrievalCopy(stack);
    const two = await indexPhase('2 copies', FILES, 2);
    await extraCopy.stop();
    extraCopy = undefined;
    const oneAgain = await indexPhase('1 copy again', FILES, 3);
    phaseOneIds = one.ids;

    const baseline = (one.chunksPerSecond + oneAgain.chunksPerSecond) / 2;
    const phases = [one, two, oneAgain];
    figures.indexing = phases.map(({ ids: _ids, ...rest }) => rest);
    lines.push(
      `indexing: ${FILES} text files of ${FILE_CHARS} characters per run, uploaded 4 at a time through the gateway, until every one is indexed`,
      'copies       | chunks | seconds | upload s | chunks/s | ratio vs 1 copy | CPU s bench+PGlite / retrieval / files / gateway',
      ...phases.map(
        (p) =>
          `${p.label.padEnd(12)} | ${String(p.chunks).padStart(6)} | ${fmt(p.seconds, 7)} | ${fmt(p.uploadedS, 8)} | ${fmt(p.chunksPerSecond, 8)} | ${(p.chunksPerSecond / baseline).toFixed(2)} | ${Object.values(
            p.cpuS,
          )
            .map((t) => fmt(t))
            .join(' / ')}`,
      ),
      `2-copy / 1-copy: ${(two.chunksPerSecond / baseline).toFixed(2)}`,
      '',
    );
    for (const p of phases) {
      expect(p.chunks).toBeGreaterThanOrEqual(p.files * 10);
    }
    // Idempotent by source: a file is indexed once however many copies run.
    const { rows } = await store.query<{ duplicated: string }>(
      `SELECT count(*) AS duplicated FROM (SELECT source_id, position FROM retrieval_index.chunks
         GROUP BY source_id, position HAVING count(*) > 1) d`,
    );
    expect(Number(rows[0]!.duplicated)).toBe(0);
  });

  it('adds retrieval to the time before the first token of a chat answer', async () => {
    expect(phaseOneIds.length).toBe(FILES);
    const { knowledgeBase } = await rpc.createKnowledgeBase(
      { knowledgeBase: { name: 'Bench', description: '', accessControl: { read: {}, write: {} } } },
      { caller: caller() },
    );
    const baseId = knowledgeBase!.id;
    for (const fileId of phaseOneIds)
      await rpc.addKnowledgeFile({ id: baseId, fileId }, { caller: caller() });
    await until('the knowledge base indexed', INDEX_TIMEOUT_MS, async () => {
      const { knowledgeBase: base } = await rpc.getKnowledgeBase({ id: baseId }, { caller: caller() });
      const states = base!.files.map((f) => f.status?.state);
      return states.length === FILES && states.every((s) => s === retrievalV1.IndexState.INDEXED)
        ? true
        : undefined;
    });

    const plain: number[] = [];
    const withBase: number[] = [];
    const sourcesAt: number[] = [];
    // Warm-up of both paths, then interleaved (ABBA) so drift lands on both sides alike.
    for (let i = 0; i < 2; i++) {
      await chatOnce(i, undefined);
      await chatOnce(i, baseId);
    }
    for (let i = 0; i < CHAT_RUNS; i++) {
      const order = i % 2 ? [baseId, undefined] : [undefined, baseId];
      for (const base of order) {
        const run = await chatOnce(100 + i, base);
        expect(run.tokens).toBe(5);
        if (base) {
          expect(run.sourcesMs).toBeDefined();
          withBase.push(run.ttftMs);
          sourcesAt.push(run.sourcesMs!);
        } else {
          expect(run.sourcesMs).toBeUndefined();
          plain.push(run.ttftMs);
        }
      }
    }
    const a = percentiles(plain);
    const b = percentiles(withBase);
    const s = percentiles(sourcesAt);
    figures.chat = { runs: CHAT_RUNS, plain: a, knowledgeBase: b, sourcesEvent: s };
    lines.push(
      `chat: time to first token of /api/chat/completions (stream), upstream first token after 20 ms, ${CHAT_RUNS} runs each, interleaved; knowledge base of ${FILES} files`,
      'path              | TTFT p50 / p95 ms | sources event p50 ms',
      `no retrieval      | ${fmt(a.p50)} / ${fmt(a.p95)} | -`,
      `knowledge base    | ${fmt(b.p50)} / ${fmt(b.p95)} | ${fmt(s.p50)}`,
      `added by retrieval: p50 +${fmt(b.p50 - a.p50)} ms (x${(b.p50 / a.p50).toFixed(2)}), p95 +${fmt(b.p95 - a.p95)} ms`,
      '',
    );
  });

  async function chatOnce(
    n: number,
    baseId: string | undefined,
  ): Promise<{ ttftMs: number; sourcesMs?: number; tokens: number }> {
    const started = performance.now();
    const res = await fetch(`${stack.gatewayUrls[0]}/api/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: CHAT_MODEL,
        stream: true,
        messages: [
          {
            role: 'user',
            content: `${question(n)}?`,
            ...(baseId ? { files: [{ type: 'collection', id: baseId }] } : {}),
          },
        ],
      }),
      signal: AbortSignal.timeout(60_000),
    });
    if (res.status !== 200 || !res.body) throw new Error(`chat: HTTP ${res.status} ${await res.text()}`);
    let tokens = 0;
    let ttftMs = 0;
    let sourcesMs: number | undefined;
    for await (const { data, at } of sseJsonEvents<{ sources?: unknown[] }>(res.body)) {
      if (data.sources && sourcesMs === undefined) sourcesMs = at - started;
      if (deltaContent(data) && ++tokens === 1) ttftMs = at - started;
    }
    return { ttftMs, tokens, ...(sourcesMs === undefined ? {} : { sourcesMs }) };
  }

  it(`searches ${CHUNKS} chunks: HNSW against an exact scan, recall@10, hybrid through gRPC`, async () => {
    // The built store, not a copy of its SQL: what the service runs is what is measured.
    const { PgVectorStore } = (await import(
      join(repoRoot(), 'dist/services/retrieval/src/vector-store/pgvector-store.js')
    )) as { PgVectorStore: PgVectorStoreClass };
    const vectors = new PgVectorStore(stack.vectorStoreUrl!, 2, 100);
    try {
      const owner = userId;
      const data = syntheticData(CHUNKS, 20_251_203);
      const sourceIds = Array.from({ length: SOURCES }, () => randomUUID());
      // Build the index over the data (as a new dimension count would) instead of growing the one the
      // indexing runs made row by row.
      await store.query(`DROP INDEX IF EXISTS retrieval_index.chunks_hnsw_${DIMS}_idx`);
      const insertStarted = performance.now();
      await insertSynthetic(store, data, sourceIds, owner);
      const insertS = (performance.now() - insertStarted) / 1000;
      // The first vectors of a dimension count create its HNSW index (PgVectorStore.ensureIndex).
      const marker = randomUUID();
      await vectors.upsertSource({
        id: marker,
        kind: 'text',
        ownerUserId: owner,
        name: 'index marker',
        contentSha256: '',
        embeddingModel: EMBEDDING_ID,
        state: 'pending',
        error: '',
        textContent: null,
      });
      const buildStarted = performance.now();
      await vectors.replaceChunks(
        marker,
        [{ position: 0, text: 'marker', page: 0, heading: '', embedding: data.queries[0]! }],
        { contentSha256: 'marker', embeddingModel: EMBEDDING_ID, language: 'english' },
      );
      const buildS = (performance.now() - buildStarted) / 1000;
      lines.push(
        `query: ${CHUNKS} chunks of ${DIMS} dimensions in ${data.clusters} clusters over ${SOURCES} sources (+ the indexing runs' chunks); top ${TOP_K}; ${QUERIES} queries per path`,
        `bulk insert ${fmt(insertS)} s (${Math.round(CHUNKS / insertS)} rows/s), HNSW build ${fmt(buildS)} s (${Math.round(CHUNKS / buildS)} vectors/s)`,
      );
      const query = (q: number[], exact: boolean) =>
        vectors.searchVector({
          sourceIds,
          embedding: q,
          embeddingModel: EMBEDDING_ID,
          limit: TOP_K,
          exact,
        });

      const states: Record<string, unknown> = { insertS, buildS };
      lines.push(
        'state          | plan: index path / exact path  | index p50 / p95 ms | exact p50 / p95 ms | exact/index p50 | recall@10 | hybrid gRPC p50 / p95 ms',
      );
      for (const state of ['as indexed', 'after ANALYZE'] as const) {
        if (state === 'after ANALYZE') {
          const started = performance.now();
          await store.query('ANALYZE retrieval_index.chunks');
          await store.query('ANALYZE retrieval_index.sources');
          states.analyzeS = (performance.now() - started) / 1000;
        }
        const plan = await planOf(vectors, () => query(data.queries[0]!, false));
        const exactPlan = await planOf(vectors, () => query(data.queries[0]!, true));
        const indexMs: number[] = [];
        const exactMs: number[] = [];
        let recalled = 0;
        // Warm-up, then each query on both paths, alternating which goes first.
        await query(data.queries[1]!, false);
        await query(data.queries[1]!, true);
        for (let i = 0; i < QUERIES; i++) {
          const q = data.queries[i % data.queries.length]!;
          const timed = async (exact: boolean) => {
            const started = performance.now();
            const hits = await query(q, exact);
            (exact ? exactMs : indexMs).push(performance.now() - started);
            return hits;
          };
          let viaIndex: Awaited<ReturnType<typeof timed>>;
          let exact: Awaited<ReturnType<typeof timed>>;
          if (i % 2) {
            viaIndex = await timed(false);
            exact = await timed(true);
          } else {
            exact = await timed(true);
            viaIndex = await timed(false);
          }
          expect(exact).toHaveLength(TOP_K);
          expect(viaIndex).toHaveLength(TOP_K);
          const want = new Set(exact.map((h) => h.id));
          recalled += viaIndex.filter((h) => want.has(h.id)).length;
        }
        const recall = recalled / (QUERIES * TOP_K);
        const hybrid = await grpcSearch(sourceIds, data.words, 'hybrid');
        const idx = percentiles(indexMs);
        const ex = percentiles(exactMs);
        states[state] = { plan, exactPlan, index: idx, exact: ex, recall, hybrid };
        lines.push(
          `${state.padEnd(14)} | ${plan} / ${exactPlan} | ${fmt(idx.p50)} / ${fmt(idx.p95)} | ${fmt(ex.p50)} / ${fmt(ex.p95)} | ${(ex.p50 / idx.p50).toFixed(2)} | ${recall.toFixed(3)} | ${fmt(hybrid.p50)} / ${fmt(hybrid.p95)}`,
        );
        if (state === 'after ANALYZE') {
          // The index is what the store's search is for: without it, this measures nothing.
          expect(plan).toMatch(/hnsw/);
          expect(recall).toBeGreaterThanOrEqual(0.95);
        }
        expect(exactPlan).not.toMatch(/hnsw/);
      }
      const vectorOnly = await grpcSearch(sourceIds, data.words, 'vector');
      const keywordOnly = await grpcSearch(sourceIds, data.words, 'keyword');
      states.grpcAfterAnalyze = { vector: vectorOnly, keyword: keywordOnly };
      figures.query = states;
      lines.push(
        `gRPC Search after ANALYZE, ${SOURCES} file targets: vector-only ${fmt(vectorOnly.p50)} / ${fmt(vectorOnly.p95)} ms, keyword-only ${fmt(keywordOnly.p50)} / ${fmt(keywordOnly.p95)} ms (p50 / p95)`,
      );
    } finally {
      await vectors.close();
    }
  });

  /** Search through the retrieval service as the sources' owner: p50/p95 over QUERIES questions. */
  async function grpcSearch(sourceIds: string[], words: string[][], mode: 'hybrid' | 'vector' | 'keyword') {
    const modes = {
      hybrid: retrievalV1.SearchMode.HYBRID,
      vector: retrievalV1.SearchMode.VECTOR,
      keyword: retrievalV1.SearchMode.KEYWORD,
    };
    const targets = sourceIds.map((id) => ({ target: { case: 'fileId' as const, value: id } }));
    const times: number[] = [];
    for (let i = -1; i < QUERIES; i++) {
      const topic = words[Math.abs(i) % words.length]!;
      const started = performance.now();
      const { hits, mode: ran } = await rpc.search(
        { query: `${topic.slice(0, 3).join(' ')} ${topic[7]}`, targets, topK: TOP_K, mode: modes[mode] },
        { caller: caller() },
      );
      if (i >= 0) times.push(performance.now() - started);
      expect(ran).toBe(modes[mode]);
      expect(hits).toHaveLength(TOP_K);
      expect(hits.every((h) => sourceIds.includes(h.chunk!.fileId))).toBe(true);
    }
    return percentiles(times);
  }
});

const retrievalClient = (target: string, secret: string) =>
  createGrpcClient(retrievalV1.RetrievalService, target, {
    deadlineMs: 60_000,
    peerName: 'retrieval',
    signing: testCallerSigning('retrieval', secret),
  });

/** The part of the built PgVectorStore the benchmark calls (services/retrieval/src/vector-store). */
interface PgVectorStoreLike {
  upsertSource(row: {
    id: string;
    kind: 'file' | 'text';
    ownerUserId: string;
    name: string;
    contentSha256: string;
    embeddingModel: string;
    state: 'pending' | 'indexing' | 'indexed' | 'failed';
    error: string;
    textContent: string | null;
  }): Promise<void>;
  replaceChunks(
    sourceId: string,
    chunks: Array<{ position: number; text: string; page: number; heading: string; embedding?: number[] }>,
    meta: { contentSha256: string; embeddingModel: string; language: string },
  ): Promise<void>;
  searchVector(query: {
    sourceIds: string[];
    embedding: number[];
    embeddingModel: string;
    limit: number;
    exact?: boolean;
  }): Promise<Array<{ id: string; sourceId: string; score: number }>>;
  close(): Promise<void>;
}
type PgVectorStoreClass = new (url: string, poolSize: number, efSearch: number) => PgVectorStoreLike;

/**
 * The plan PostgreSQL picks for the store's own search SQL: while `work` runs, each parameterised
 * SELECT the store sends is first EXPLAINed on the same connection, inside the store's transaction (so
 * its SET LOCALs apply). Returns the scans on the chunks table, e.g. "Index Scan chunks_hnsw_384_idx".
 */
async function planOf(vectors: PgVectorStoreLike, work: () => Promise<unknown>): Promise<string> {
  const pool = (vectors as unknown as { pool: pg.Pool }).pool;
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const plans: string[] = [];
  (pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
    const client = await connect();
    const run = client.query.bind(client) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
    const wrapped = async (text: string, values?: unknown[]) => {
      if (values && /^\s*SELECT/i.test(text))
        plans.push(JSON.stringify((await run(`EXPLAIN (FORMAT JSON) ${text}`, values)).rows));
      return run(text, values);
    };
    Object.assign(client, { query: wrapped });
    const release = client.release.bind(client);
    client.release = (error?: Error | boolean) => {
      Object.assign(client, { query: run });
      return release(error);
    };
    return client;
  };
  try {
    await work();
  } finally {
    (pool as unknown as { connect: typeof connect }).connect = connect;
  }
  const scans = new Set<string>();
  for (const plan of plans)
    walkPlan(JSON.parse(plan) as unknown, (node) => {
      const type = node['Node Type'];
      if (typeof type === 'string' && type.includes('Scan') && node['Relation Name'] !== 'sources')
        scans.add(
          [type, node['Index Name'], node['Relation Name'] === 'chunks' ? '' : node['Relation Name']]
            .filter(Boolean)
            .join(' '),
        );
    });
  return (
    [...scans]
      .join(' + ')
      .replace(/chunks_hnsw_\d+_idx/, 'hnsw')
      .replace('chunks_source_id_position_key', '(source_id, position)') || 'unknown'
  );
}

function walkPlan(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) value.forEach((item) => walkPlan(item, visit));
  else if (value && typeof value === 'object') {
    visit(value as Record<string, unknown>);
    for (const child of Object.values(value)) walkPlan(child, visit);
  }
}

interface SyntheticData {
  clusters: number;
  vectors: number[][];
  texts: string[];
  /** Each cluster's topic words: its chunks' texts draw on them, and so do the gRPC questions. */
  words: string[][];
  /** Query vectors: near a cluster's centre, as a question about one topic would be. */
  queries: number[][];
}

/**
 * `count` vectors in count/CLUSTER_SIZE Gaussian clusters (centres N(0,1) per dimension, spread 0.6), each with a
 * text of its cluster's topic words and common ones; the same seed gives the same data.
 */
function syntheticData(count: number, seed: number): SyntheticData {
  const random = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const clusters = Math.max(1, Math.round(count / CLUSTER_SIZE));
  const centres = Array.from({ length: clusters }, () => Array.from({ length: DIMS }, gauss));
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qu', 'dor'];
  const word = () =>
    Array.from({ length: 3 }, () => syllables[Math.floor(random() * syllables.length)]).join('');
  const common = Array.from({ length: 200 }, word);
  const words = Array.from({ length: clusters }, () => Array.from({ length: 12 }, word));
  const near = (centre: number[]) => centre.map((x) => x + 0.6 * gauss());
  const vectors: number[][] = [];
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const c = i % clusters;
    vectors.push(near(centres[c]!));
    texts.push(
      Array.from({ length: 60 }, () =>
        random() < 0.3 ? words[c]![Math.floor(random() * 12)] : common[Math.floor(random() * common.length)],
      ).join(' '),
    );
  }
  const queries = Array.from({ length: Math.max(QUERIES, 2) }, () =>
    near(centres[Math.floor(random() * clusters)]!),
  );
  return { clusters, vectors, texts, words, queries };
}

/** Rows straight into the store's tables, 500 per statement, spread over the sources. */
async function insertSynthetic(
  client: pg.Client,
  data: SyntheticData,
  sourceIds: string[],
  owner: string,
): Promise<void> {
  for (const [n, id] of sourceIds.entries())
    await client.query(
      `INSERT INTO retrieval_index.sources (id, kind, owner_user_id, name, state, embedding_model, content_sha256, indexed_at)
       VALUES ($1, 'file', $2, $3, 'indexed', $4, 'synthetic', now())`,
      [id, owner, `synthetic-${n}.txt`, EMBEDDING_ID],
    );
  const perSource = Math.ceil(data.vectors.length / sourceIds.length);
  for (let start = 0; start < data.vectors.length; start += 500) {
    const end = Math.min(data.vectors.length, start + 500);
    const range = Array.from({ length: end - start }, (_, i) => start + i);
    await client.query(
      `INSERT INTO retrieval_index.chunks (id, source_id, position, text, embedding, dims, embedding_model, tsv)
       SELECT gen_random_uuid(), source_id, position, text, embedding::vector, $1, $2, to_tsvector('english', text)
       FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[]) AS t(source_id, position, text, embedding)`,
      [
        DIMS,
        EMBEDDING_ID,
        range.map((i) => sourceIds[Math.floor(i / perSource)]!),
        range.map((i) => i % perSource),
        range.map((i) => data.texts[i]!),
        range.map((i) => pgvector.toSql(data.vectors[i]!) as string),
      ],
    );
  }
  await client.query(
    `UPDATE retrieval_index.sources s SET chunk_count = (SELECT count(*) FROM retrieval_index.chunks c WHERE c.source_id = s.id)
     WHERE s.id = ANY($1::uuid[])`,
    [sourceIds],
  );
}

/**
 * Adds a second retrieval copy beside the stack's one: the same environment (read from the first
 * copy's /proc entry, so it is exactly what startStack gave it) on its own ports, so it shares the
 * vector store, the work queue and the file-events consumer, as a scaled-out copy does.
 */
async function startSecondRetrievalCopy(stack: Stack): Promise<ServiceProcess> {
  const first = stack.services.retrieval![0]!.child.pid!;
  const env = Object.fromEntries(
    readFileSync(`/proc/${first}/environ`, 'utf8')
      .split('\0')
      .filter((entry) => entry.includes('='))
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
  const httpPort = await freePort();
  return startServiceProcess('retrieval', {
    env: { ...env, HTTP_PORT: String(httpPort), GRPC_PORT: String(await freePort()) },
    httpPort,
    label: 'retrieval-b',
  });
}

/** A text file of the pipeline runs: paragraphs of pseudo-words, different for each seed. */
function documentText(seed: number): string {
  const random = mulberry32(seed + 1);
  const parts: string[] = [];
  let length = 0;
  while (length < FILE_CHARS) {
    const sentence = `${question(Math.floor(random() * 1_000))} ${Math.floor(random() * 1e6)}.`;
    parts.push(random() < 0.15 ? `${sentence}\n\n` : `${sentence} `);
    length += sentence.length + 1;
  }
  return parts.join('');
}

/** A short question of real-ish words, the same for the same n. */
function question(n: number): string {
  const vocabulary = (
    'reactor quartz crystal harvest dawn valve pressure turbine coolant sensor manual report budget ' +
    'invoice contract supplier quality audit policy holiday travel expense laptop network printer'
  ).split(' ');
  const random = mulberry32(n + 7);
  return Array.from({ length: 8 }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' ');
}

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  work: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!, i);
      }
    }),
  );
  return results;
}

const until = <T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>) =>
  eventually(what, check, timeoutMs);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function percentiles(values: number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return { p50: at(50), p95: at(95) };
}

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const fmt = (n: number, width = 0) => (Number.isFinite(n) ? n.toFixed(1) : '-').padStart(width);
