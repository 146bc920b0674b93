import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createGrpcClient } from '@parley/grpc';
import { retrievalV1 } from '@parley/proto';
import {
  eventually,
  FakeLlm,
  pdfWithPages,
  Stack,
  startFakeLlm,
  startStack,
  testCallerSigning,
  userCaller,
} from '@parley/testing';
import { request, signUpsFrom, untilStatus, uploadFile as upload, type SignedUp } from './support/http';
import { readCompletion } from './support/realtime-clients';
import { connectSocket, waitFor, type RecordingSocket } from './support/sockets';

const MODEL = 'rag-fake';
const TOKENS = ['It ', 'runs ', 'on ', 'quartz [1].'];
const FACT = 'The Zorblax reactor runs on purple quartz crystals harvested at dawn.';

type RetrievalClient = ReturnType<typeof retrievalClient>;
const retrievalClient = (target: string, secret: string) =>
  createGrpcClient(retrievalV1.RetrievalService, target, {
    deadlineMs: 30_000,
    peerName: 'retrieval',
    signing: testCallerSigning('retrieval', secret),
  });

/** Indexing and settings reach every copy a moment later: polled for up to 30 s. */
const until = <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000) =>
  eventually(what, check, timeoutMs);

/**
 * Retrieval end to end (docs/retrieval.md), two retrieval copies on one PGlite+pgvector store: a PDF in
 * a knowledge base is indexed through the durable pipeline and grounds an answer whose prompt (as the
 * fake upstream got it) holds the passage and whose sources name the file and page; another user gets
 * nothing of it until it is public; a copy killed mid-indexing loses no file and duplicates no chunk;
 * a new embedding model re-indexes in the background; without one, search is keyword-only.
 */
describe('retrieval: grounded answers and durable indexing', () => {
  let stack: Stack;
  let fake: FakeLlm;
  let gateway: string;
  let admin: SignedUp;
  let alice: SignedUp;
  let bob: SignedUp;
  let rpc: RetrievalClient;
  let store: Client;
  let socket: RecordingSocket;
  const aliceCaller = () => userCaller(alice.id, { permissions: ['workspace.knowledge'] });
  const bobCaller = () => userCaller(bob.id, { permissions: ['workspace.knowledge'] });

  beforeAll(async () => {
    fake = await startFakeLlm({
      models: [MODEL],
      tokens: TOKENS,
      embeddingModels: ['fake-embed-384', 'fake-embed-768'],
    });
    stack = await startStack({
      copies: { auth: 1, chat: 1, files: 1, retrieval: 2, 'model-gateway': 1, realtime: 1, gateway: 1 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        OPENAI_API_BASE_URLS: fake.openaiBaseUrl,
        OPENAI_API_KEYS: '',
        ENABLE_TITLE_GENERATION: 'false',
        USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ACCESS: 'true',
        RAG_EMBEDDING_ENGINE: 'openai',
        RAG_EMBEDDING_MODEL: 'fake-embed-384',
        RAG_OPENAI_API_BASE_URL: fake.openaiBaseUrl,
        CHUNK_SIZE: '300',
        CHUNK_OVERLAP: '30',
        // Short, so a killed copy's file goes to the other copy within the test.
        RETRIEVAL_INDEX_TIMEOUT_MS: '4000',
        RETRIEVAL_INDEX_RETRY_MS: '200',
      },
    });
    gateway = stack.gatewayUrls[0]!;
    rpc = retrievalClient(stack.grpcTargets.retrieval![1]!, stack.callerSecret);
    store = new Client({ connectionString: stack.vectorStoreUrl });
    await store.connect();
    const signUp = signUpsFrom('2001:db8:4a6::');
    admin = await signUp(gateway, 'Admin');
    alice = await signUp(gateway, 'Alice');
    bob = await signUp(gateway, 'Bob');
    socket = await connectSocket(gateway, alice.token);
  }, 180_000);

  afterAll(async () => {
    socket?.close();
    await store?.end();
    rpc?.close();
    await stack?.stop();
    await fake?.close();
  });

  async function indexedBase(id: string, files: number) {
    return until(
      `${files} indexed files in ${id}`,
      async () => {
        const { knowledgeBase } = await rpc.getKnowledgeBase({ id }, { caller: aliceCaller() });
        const states = knowledgeBase!.files.map((f) => f.status?.state);
        if (states.includes(retrievalV1.IndexState.FAILED))
          throw new Error(
            `a file failed: ${JSON.stringify(knowledgeBase!.files.map((f) => f.status?.error))}`,
          );
        const done = states.filter((s) => s === retrievalV1.IndexState.INDEXED).length;
        return done === files ? knowledgeBase! : undefined;
      },
      60_000,
    );
  }

  let baseId: string;
  let pdfId: string;

  it('indexes a PDF in a knowledge base and grounds an answer in it, with sources naming file and page', async () => {
    pdfId = await upload(
      gateway,
      alice,
      await pdfWithPages(['An introduction with nothing in it.', FACT]),
      'reactor.pdf',
    );
    const { knowledgeBase } = await rpc.createKnowledgeBase(
      { knowledgeBase: { name: 'Reactors', description: 'Notes', accessControl: { read: {}, write: {} } } },
      { caller: aliceCaller() },
    );
    baseId = knowledgeBase!.id;
    await rpc.addKnowledgeFile({ id: baseId, fileId: pdfId }, { caller: aliceCaller() });
    await indexedBase(baseId, 1);

    const marker = `q-${randomUUID()}`;
    const res = await fetch(`${gateway}/api/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: MODEL,
        stream: true,
        messages: [
          {
            role: 'user',
            content: `What does the Zorblax reactor run on? ${marker}`,
            files: [{ type: 'collection', id: baseId }],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const events = (await res.text())
      .split('\n')
      .filter((l) => l.startsWith('data: {'))
      .map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);
    // Open WebUI's leading sources event, before any chunk.
    const sources = events[0]!.sources as Array<{
      source: { type: string; id: string; name: string };
      document: string[];
      metadata: Array<{ name: string; page?: number; file_id: string }>;
    }>;
    expect(sources[0]!.source).toEqual({ type: 'collection', id: baseId, name: 'Reactors' });
    expect(sources[0]!.document.join(' ')).toContain('purple quartz');
    const cited = sources[0]!.metadata.find((_, i) => sources[0]!.document[i]!.includes('purple quartz'))!;
    expect(cited).toMatchObject({ name: 'reactor.pdf', page: 2, file_id: pdfId });

    const body = fake.stats.requestBodies.filter((b) => JSON.stringify(b).includes(marker)).at(-1)!;
    const question = (body.messages as Array<{ role: string; content: string }>).find(
      (m) => m.role === 'user',
    )!;
    expect(question.content).toContain('purple quartz crystals');
    expect(question.content).toMatch(/<source id="1" name="reactor\.pdf" page="2">/);
    expect(question.content).toContain(marker);
    // The files entry never reaches the upstream.
    expect(JSON.stringify(body)).not.toContain('"collection"');
  });

  it('gives another user nothing of a private base, everything of a public one', async () => {
    const search = (caller: ReturnType<typeof userCaller>) =>
      rpc.search(
        {
          query: 'What does the reactor run on?',
          targets: [{ target: { case: 'knowledgeBaseId', value: baseId } }],
        },
        { caller },
      );
    await expect(search(bobCaller())).rejects.toMatchObject({ kind: 'NOT_FOUND' });
    await expect(
      rpc.search(
        { query: 'reactor', targets: [{ target: { case: 'fileId', value: pdfId } }] },
        { caller: bobCaller() },
      ),
    ).rejects.toMatchObject({ kind: 'NOT_FOUND' });
    const viaChat = await request(gateway, 'POST', '/api/chat/completions', {
      token: bob.token,
      body: {
        model: MODEL,
        messages: [{ role: 'user', content: 'reactor?', files: [{ type: 'collection', id: baseId }] }],
      },
    });
    expect(viaChat.status).toBe(404);
    await expect(
      rpc.addKnowledgeFile({ id: baseId, fileId: pdfId }, { caller: bobCaller() }),
    ).rejects.toMatchObject({ kind: 'NOT_FOUND' });

    // Public (access_control unset): Bob reads and finds the passage, but may not change the base.
    await rpc.updateKnowledgeBase(
      { id: baseId, knowledgeBase: { name: 'Reactors', description: 'Notes' } },
      { caller: aliceCaller() },
    );
    const found = await search(bobCaller());
    expect(found.hits.map((h) => h.chunk?.text).join(' ')).toContain('purple quartz');
    expect(found.mode).toBe(retrievalV1.SearchMode.HYBRID);
    await expect(
      rpc.removeKnowledgeFile({ id: baseId, fileId: pdfId }, { caller: bobCaller() }),
    ).rejects.toMatchObject({ kind: 'PERMISSION_DENIED' });
  });

  it("saves the sources with a chat task's answer and sends them to the tabs with the first delta", async () => {
    const created = await request<{ id: string }>(gateway, 'POST', '/api/v1/chats/new', {
      token: alice.token,
      body: { chat: { models: [MODEL] } },
    });
    const text = 'What powers the Zorblax reactor?';
    const question = await request<{ message: { id: string } }>(
      gateway,
      'POST',
      `/api/v1/chats/${created.body.id}/messages`,
      { token: alice.token, body: { message: { role: 'user', content: text } } },
    );
    const answerId = randomUUID();
    const started = await request(gateway, 'POST', '/api/chat/completions', {
      token: alice.token,
      body: {
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content: text }],
        files: [{ type: 'collection', id: baseId, name: 'Reactors' }],
        chat_id: created.body.id,
        id: answerId,
        parent_id: question.body.message.id,
      },
    });
    expect(started.status).toBe(200);
    const events = () =>
      socket.events
        .filter((e) => e.name === 'chat:completion')
        .map((e) => readCompletion(e.payload))
        .filter((c) => c.messageId === answerId);
    await waitFor(() => events().some((e) => e.done), 20_000, 'the last delta');
    // The raw socket payload: sources travel as plain JSON (a ListValue's JSON form).
    const first = socket.events.find(
      (e) =>
        e.name === 'chat:completion' &&
        readCompletion(e.payload).messageId === answerId &&
        readCompletion(e.payload).seq === 1,
    )!.payload as { sources?: Array<{ source: { id: string }; metadata: Array<{ name: string }> }> };
    const live = first.sources!;
    expect(live[0]!.source.id).toBe(baseId);
    expect(live[0]!.metadata.map((m) => m.name)).toContain('reactor.pdf');
    expect(
      events()
        .filter((e) => e.seq > 1)
        .every((e) => !e.sources),
    ).toBe(true);
    const chat = await request<{ chat: { history: { messages: Record<string, { sources?: unknown[] }> } } }>(
      gateway,
      'GET',
      `/api/v1/chats/${created.body.id}`,
      { token: alice.token },
    );
    expect(chat.body.chat.history.messages[answerId]!.sources).toEqual(live);
  });

  it('grounds an answer in a file attached to the message, and sends whole files with BYPASS_EMBEDDING_AND_RETRIEVAL', async () => {
    const note = `The secret ingredient of the Quibble stew is smoked paprika. ${'Filler sentence. '.repeat(400)}`;
    const fileId = await upload(gateway, alice, Buffer.from(note), 'stew.txt');
    await until('the note indexed', async () => {
      const { status } = await rpc.getFileIndexStatus({ fileId }, { caller: aliceCaller() });
      return status?.state === retrievalV1.IndexState.INDEXED ? status : undefined;
    });
    const ask = async (marker: string) => {
      const res = await request(gateway, 'POST', '/api/chat/completions', {
        token: alice.token,
        body: {
          model: MODEL,
          messages: [
            {
              role: 'user',
              content: `What is the secret ingredient of the Quibble stew? ${marker}`,
              files: [{ type: 'file', id: fileId }],
            },
          ],
        },
      });
      expect(res.status).toBe(200);
      const body = fake.stats.requestBodies.filter((b) => JSON.stringify(b).includes(marker)).at(-1)!;
      return {
        answer: res.body as { sources?: Array<{ source: { type: string; id: string } }> },
        prompt: (body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'user')!
          .content,
      };
    };
    const grounded = await ask(`g-${randomUUID()}`);
    expect(grounded.answer.sources?.[0]?.source).toMatchObject({ type: 'file', id: fileId });
    expect(grounded.prompt).toContain('<source id="1" name="stew.txt">');
    expect(grounded.prompt).toContain('smoked paprika');
    // Only the chunks that answer, not the whole file.
    expect(grounded.prompt.length).toBeLessThan(note.length);

    const adminCaller = userCaller(admin.id, { role: 'admin' });
    const { settings } = await rpc.getSettings({}, { caller: adminCaller });
    await rpc.updateSettings(
      { settings: { ...settings!, bypassEmbeddingAndRetrieval: true } },
      { caller: adminCaller },
    );
    try {
      const whole = await until('bypass on every copy', async () => {
        const r = await ask(`b-${randomUUID()}`);
        return r.answer.sources === undefined ? r : undefined;
      });
      expect(whole.prompt).toContain(note.trim());
      expect(whole.prompt).toContain('<context>');
    } finally {
      await rpc.updateSettings(
        { settings: { ...settings!, bypassEmbeddingAndRetrieval: false } },
        { caller: adminCaller },
      );
    }
  });

  it('loses no file and duplicates no chunk when a retrieval copy is killed mid-indexing', async () => {
    const facts = [0, 1, 2, 3, 4, 5].map(
      (i) => `Fact ${i}: the code word for vault ${i} is ${randomUUID()}.`,
    );
    const ids = [] as string[];
    for (const [i, fact] of facts.entries())
      ids.push(await upload(gateway, alice, Buffer.from(`${fact}\n\nMore text ${i}.`), `fact-${i}.txt`));
    const { knowledgeBase } = await rpc.createKnowledgeBase(
      { knowledgeBase: { name: 'Vaults', accessControl: { read: {}, write: {} } } },
      { caller: aliceCaller() },
    );
    const vaults = knowledgeBase!.id;
    // Slow embeddings, so work is in flight when the copy dies.
    fake.set({ embeddingDelayMs: 1_500 });
    const before = fake.stats.embeddingRequests;
    for (const id of ids) await rpc.addKnowledgeFile({ id: vaults, fileId: id }, { caller: aliceCaller() });
    await fake.waitFor((s) => s.embeddingRequests >= before + 2, 30_000);
    await stack.services.retrieval![0]!.stop('SIGKILL');
    fake.set({ embeddingDelayMs: 0 });

    await indexedBase(vaults, ids.length);
    const duplicates = await store.query(
      `SELECT source_id, position, count(*) FROM retrieval_index.chunks
       WHERE source_id = ANY($1::uuid[]) GROUP BY 1, 2 HAVING count(*) > 1`,
      [ids],
    );
    expect(duplicates.rows).toEqual([]);
    const counts = await store.query(
      `SELECT s.id, s.chunk_count, count(c.id)::int AS stored FROM retrieval_index.sources s
       LEFT JOIN retrieval_index.chunks c ON c.source_id = s.id WHERE s.id = ANY($1::uuid[]) GROUP BY 1, 2`,
      [ids],
    );
    expect(counts.rows).toHaveLength(ids.length);
    for (const row of counts.rows as Array<{ chunk_count: number; stored: number }>) {
      expect(row.stored).toBe(row.chunk_count);
      expect(row.stored).toBeGreaterThan(0);
    }
    // Every fact is findable.
    const hit = await rpc.search(
      { query: 'code word for vault 4', targets: [{ target: { case: 'knowledgeBaseId', value: vaults } }] },
      { caller: aliceCaller() },
    );
    expect(hit.hits[0]!.chunk!.text).toContain(facts[4]!.slice(0, 30));
  });

  /** A failure with the retrieval copies' last log lines, so an INTERNAL says what happened. */
  async function withRetrievalLogs(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const logs = (stack.services.retrieval ?? []).map(
        (p, i) => `--- retrieval ${i}\n${p.logs().slice(-4000)}`,
      );
      throw new Error(`${(error as Error).message}\n${logs.join('\n')}`, { cause: error });
    }
  }

  it('re-indexes in the background when the embedding model changes, and searches by keyword without one', () =>
    withRetrievalLogs(async () => {
      const adminCaller = userCaller(admin.id, { role: 'admin' });
      const { settings } = await rpc.getSettings({}, { caller: adminCaller });
      await expect(rpc.getSettings({}, { caller: aliceCaller() })).rejects.toMatchObject({
        kind: 'PERMISSION_DENIED',
      });
      const changed = await rpc.updateSettings(
        { settings: { ...settings!, embeddingModel: 'fake-embed-768' } },
        { caller: adminCaller },
      );
      expect(changed.reindex?.total).toBeGreaterThan(0);
      const done = await until(
        'the re-index',
        async () => {
          const state = await rpc.getSettings({}, { caller: adminCaller });
          return !state.reindex?.running && state.embeddingDimensions === 768 ? state : undefined;
        },
        60_000,
      );
      expect(done.reindex!.done).toBe(done.reindex!.total);
      const dims = await store.query(`SELECT DISTINCT dims FROM retrieval_index.chunks`);
      expect(dims.rows).toEqual([{ dims: 768 }]);
      const vector = await rpc.search(
        {
          query: 'Zorblax reactor quartz',
          targets: [{ target: { case: 'knowledgeBaseId', value: baseId } }],
        },
        { caller: aliceCaller() },
      );
      expect(vector.mode).toBe(retrievalV1.SearchMode.HYBRID);
      expect(vector.hits[0]!.chunk!.text).toContain('purple quartz');

      // No embedding model: keyword-only, and it still finds the passage.
      await rpc.updateSettings(
        { settings: { ...done.settings!, embeddingEngine: '', embeddingModel: '' } },
        { caller: adminCaller },
      );
      const keyword = await until('keyword-only search', async () => {
        const r = await rpc.search(
          { query: 'purple quartz', targets: [{ target: { case: 'knowledgeBaseId', value: baseId } }] },
          { caller: aliceCaller() },
        );
        return r.mode === retrievalV1.SearchMode.KEYWORD && r.hits.length ? r : undefined;
      });
      expect(keyword.hits[0]!.chunk!.text).toContain('purple quartz');
    }));

  it('answers bad input with INVALID_ARGUMENT', async () => {
    await expect(
      rpc.search(
        { query: '', targets: [{ target: { case: 'knowledgeBaseId', value: baseId } }] },
        { caller: aliceCaller() },
      ),
    ).rejects.toMatchObject({ kind: 'INVALID_ARGUMENT' });
    await expect(rpc.search({ query: 'x', targets: [] }, { caller: aliceCaller() })).rejects.toMatchObject({
      kind: 'INVALID_ARGUMENT',
    });
    await expect(
      rpc.createKnowledgeBase({ knowledgeBase: { name: ' ' } }, { caller: aliceCaller() }),
    ).rejects.toMatchObject({ kind: 'INVALID_ARGUMENT' });
    await expect(rpc.getKnowledgeBase({ id: 'not-a-uuid' }, { caller: aliceCaller() })).rejects.toMatchObject(
      { kind: 'NOT_FOUND' },
    );
    const untilOk = await untilStatus(200, () => request(gateway, 'GET', '/health'));
    expect(untilOk.status).toBe(200);
  });
});
