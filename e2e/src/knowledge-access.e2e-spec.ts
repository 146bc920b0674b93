import { randomBytes } from 'node:crypto';
import { startStack, type Stack } from '@parley/testing';
import {
  request,
  signUpsFrom,
  untilStatus,
  uploadFile,
  type JsonResponse,
  type SignedUp,
} from './support/http';
import { connectSocket, waitFor, type RecordingSocket } from './support/sockets';

interface KnowledgeFile {
  id: string;
  meta: { name: string; content_type: string; size: number };
  status?: string;
  error?: string;
}
interface Knowledge {
  id: string;
  user_id: string;
  name: string;
  access_control: unknown;
  write_access: boolean;
  data: { file_ids: string[] };
  files: KnowledgeFile[];
}
interface QueryResult {
  distances: number[][];
  documents: string[][];
  metadatas: Array<Array<{ file_id: string; name: string; knowledge_base_id: string | null }>>;
}

// A word no other suite indexes, so a hit can only be this suite's file.
const WORD = `zorq${randomBytes(4).toString('hex')}`;
const FACT = `The Quibbleton lighthouse keeper counts ${WORD} seashells every single morning.`;
const QUESTION = `How many ${WORD} seashells does the Quibbleton keeper count?`;

/**
 * Knowledge bases and retrieval through the gateway's REST routes (Open WebUI's paths), keyword-only (no
 * embedding model): nobody reaches chunks of a file or knowledge base they may not read, whichever
 * route they try; public and group access open it to exactly those; the owner's tabs get the indexing
 * progress; bad input is a 4xx with a message.
 */
describe('knowledge bases: access through REST', () => {
  let stack: Stack;
  let gateway: string;
  let admin: SignedUp;
  let alice: SignedUp;
  let bob: SignedUp;
  let carol: SignedUp;
  let aliceTab: RecordingSocket;
  let bobTab: RecordingSocket;
  let kbId: string;
  let fileId: string;

  const call = <T = Record<string, unknown>>(who: SignedUp, method: string, path: string, body?: unknown) =>
    request<T>(gateway, method, path, { token: who.token, ...(body === undefined ? {} : { body }) });
  const queryCollection = (who: SignedUp, names: string[] = [kbId]) =>
    call<QueryResult>(who, 'POST', '/api/v1/retrieval/query/collection', {
      collection_names: names,
      query: QUESTION,
    });
  const found = (res: JsonResponse<QueryResult>) => res.body.documents[0]!.some((d) => d.includes(WORD));

  const upload = (who: SignedUp, text: string, filename: string) => uploadFile(gateway, who, text, filename);

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, files: 1, retrieval: 1, realtime: 1, gateway: 1 },
      env: { DEFAULT_USER_ROLE: 'user', USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ACCESS: 'true' },
    });
    gateway = stack.gatewayUrls[0]!;
    const signUp = signUpsFrom('2001:db8:4b7::');
    admin = await signUp(gateway, 'Admin');
    alice = await signUp(gateway, 'Alice');
    bob = await signUp(gateway, 'Bob');
    carol = await signUp(gateway, 'Carol');
    aliceTab = await connectSocket(gateway, alice.token);
    bobTab = await connectSocket(gateway, bob.token);
  }, 180_000);

  afterAll(async () => {
    aliceTab?.close();
    bobTab?.close();
    await stack?.stop();
  });

  it('indexes a file added to a private knowledge base; its owner finds the fact, another user gets 404 everywhere', async () => {
    fileId = await upload(alice, `Notes.\n\n${FACT}\n`, 'lighthouse.txt');
    const created = await call<Knowledge>(alice, 'POST', '/api/v1/knowledge/create', {
      name: 'Lighthouses',
      description: 'Keepers and their habits',
      access_control: {},
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      user_id: alice.id,
      name: 'Lighthouses',
      access_control: { read: { group_ids: [], user_ids: [] }, write: { group_ids: [], user_ids: [] } },
      write_access: true,
      files: [],
    });
    kbId = created.body.id;

    const added = await call<Knowledge>(alice, 'POST', `/api/v1/knowledge/${kbId}/file/add`, {
      file_id: fileId,
    });
    expect(added.status).toBe(200);
    expect(added.body.data.file_ids).toEqual([fileId]);
    expect(added.body.files[0]).toMatchObject({ id: fileId, meta: { name: 'lighthouse.txt' } });

    // Extraction, then indexing: poll the base until its file is indexed (bounded).
    const deadline = Date.now() + 60_000;
    let state: KnowledgeFile | undefined;
    for (; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const res = await call<Knowledge>(alice, 'GET', `/api/v1/knowledge/${kbId}`);
      expect(res.status).toBe(200);
      state = res.body.files[0];
      if (state?.status === 'failed') throw new Error(`indexing failed: ${state.error}`);
      if (state?.status === 'indexed') break;
    }
    expect(state).toMatchObject({ id: fileId, status: 'indexed', meta: { name: 'lighthouse.txt' } });

    const mine = await queryCollection(alice);
    expect(mine.status).toBe(200);
    expect(found(mine)).toBe(true);
    expect(mine.body.metadatas[0]![0]).toMatchObject({
      file_id: fileId,
      name: 'lighthouse.txt',
      knowledge_base_id: kbId,
    });
    const doc = await call<QueryResult>(alice, 'POST', '/api/v1/retrieval/query/doc', {
      collection_name: `file-${fileId}`,
      query: QUESTION,
    });
    expect(doc.status).toBe(200);
    expect(found(doc)).toBe(true);
    const list = await call<Knowledge[]>(alice, 'GET', '/api/v1/knowledge/');
    expect(list.body.find((k) => k.id === kbId)?.files[0]?.meta.name).toBe('lighthouse.txt');

    const notFound = { status: 404, body: { code: expect.any(String), detail: expect.any(String) } };
    expect(await call(bob, 'GET', `/api/v1/knowledge/${kbId}`)).toMatchObject(notFound);
    expect(await queryCollection(bob)).toMatchObject(notFound);
    expect(await queryCollection(bob, [`file-${fileId}`])).toMatchObject(notFound);
    for (const collection_name of [fileId, `file-${fileId}`])
      expect(
        await call(bob, 'POST', '/api/v1/retrieval/query/doc', { collection_name, query: QUESTION }),
      ).toMatchObject(notFound);
    expect(await call(bob, 'POST', `/api/v1/knowledge/${kbId}/file/add`, { file_id: fileId })).toMatchObject(
      notFound,
    );
    const bobsList = await call<Knowledge[]>(bob, 'GET', '/api/v1/knowledge/');
    expect(bobsList.status).toBe(200);
    expect(bobsList.body.map((k) => k.id)).not.toContain(kbId);
  });

  it('opens a public knowledge base to everyone for reading, not for writing', async () => {
    const updated = await call<Knowledge>(alice, 'POST', `/api/v1/knowledge/${kbId}/update`, {
      name: 'Lighthouses',
      description: 'Now for everyone',
      access_control: null,
    });
    expect(updated.status).toBe(200);
    expect(updated.body.access_control).toBeNull();

    const bobs = await queryCollection(bob);
    expect(bobs.status).toBe(200);
    expect(found(bobs)).toBe(true);
    const seen = await call<Knowledge>(bob, 'GET', `/api/v1/knowledge/${kbId}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: kbId, write_access: false, data: { file_ids: [fileId] } });
    // The file itself is still Alice's: through the base Bob reads its chunks and the name it was indexed
    // under, not the files service's record (its size and type stay unknown to him).
    expect(seen.body.files[0]!.meta).toMatchObject({ name: 'lighthouse.txt', size: 0 });
    expect((await call(bob, 'POST', `/api/v1/knowledge/${kbId}/reset`)).status).toBe(403);
    expect(
      (await call<Knowledge[]>(bob, 'GET', '/api/v1/knowledge/list')).body.map((k) => k.id),
    ).not.toContain(kbId);
  });

  it('opens a group knowledge base to the group only; a reader may not add files', async () => {
    const group = await call<{ id: string }>(admin, 'POST', '/api/v1/groups/create', {
      name: `Keepers ${WORD}`,
      user_ids: [carol.id],
    });
    expect(group.status).toBe(200);
    const updated = await call<Knowledge>(alice, 'POST', `/api/v1/knowledge/${kbId}/update`, {
      name: 'Lighthouses',
      description: 'For the keepers',
      access_control: { read: { group_ids: [group.body.id] } },
    });
    expect(updated.status).toBe(200);

    // The gateway learns Carol's groups from the auth service; a moment after the change at most.
    const carols = await untilStatus(200, () => queryCollection(carol));
    expect(carols.status).toBe(200);
    expect(found(carols)).toBe(true);
    expect((await queryCollection(bob)).status).toBe(404);
    expect((await call(bob, 'GET', `/api/v1/knowledge/${kbId}`)).status).toBe(404);

    const carolsFile = await upload(carol, 'A note of my own.', 'carol.txt');
    const refused = await call(carol, 'POST', `/api/v1/knowledge/${kbId}/file/add`, { file_id: carolsFile });
    expect(refused).toMatchObject({ status: 403, body: { code: expect.any(String) } });
    const after = await call<Knowledge>(alice, 'GET', `/api/v1/knowledge/${kbId}`);
    expect(after.body.data.file_ids).toEqual([fileId]);
  });

  it('indexes a text of one’s own as its own collection, for nobody else', async () => {
    const word = `plinth${randomBytes(3).toString('hex')}`;
    const res = await call<{ status: boolean; collection_name: string }>(
      alice,
      'POST',
      '/api/v1/retrieval/process/text',
      { name: 'memo', content: `The ${word} statue stands in the harbour.` },
    );
    expect(res.status).toBe(200);
    expect(res.body.collection_name).toMatch(/^file-/);
    const query = { collection_name: res.body.collection_name, query: `${word} statue` };
    const mine = await call<QueryResult>(alice, 'POST', '/api/v1/retrieval/query/doc', query);
    expect(mine.status).toBe(200);
    expect(mine.body.documents[0]!.join(' ')).toContain(word);
    expect(mine.body.metadatas[0]![0]).toMatchObject({ name: 'memo', knowledge_base_id: null });
    expect((await call(bob, 'POST', '/api/v1/retrieval/query/doc', query)).status).toBe(404);
  });

  it('answers bad input with a 4xx and a message', async () => {
    const bad = [
      ['POST', '/api/v1/retrieval/query/collection', {}],
      ['POST', '/api/v1/retrieval/query/collection', { collection_names: [], query: 'x' }],
      ['POST', '/api/v1/retrieval/query/collection', { collection_names: [kbId], query: 'x'.repeat(4_001) }],
      ['POST', '/api/v1/retrieval/query/collection', { collection_names: [kbId], query: 'x', k: 0 }],
      ['POST', '/api/v1/retrieval/query/doc', { collection_name: 'file-', query: 'x' }],
      ['POST', '/api/v1/retrieval/query/doc', { collection_name: 7, query: 'x' }],
      ['POST', '/api/v1/retrieval/process/text', { content: '   ' }],
      ['POST', '/api/v1/retrieval/process/text', { content: 'x', collection_name: 'mine' }],
      ['POST', '/api/v1/retrieval/process/file', { file_id: 'not-a-file' }],
      ['POST', '/api/v1/knowledge/create', { name: '' }],
      ['POST', '/api/v1/knowledge/create', { name: 'x', access_control: 'private' }],
      ['POST', '/api/v1/knowledge/create', { name: 'x', access_control: { read: { group_ids: [''] } } }],
      ['GET', '/api/v1/knowledge/not-a-uuid', undefined],
      ['POST', `/api/v1/knowledge/${kbId}/file/add`, { file_id: 12 }],
      ['POST', `/api/v1/knowledge/${kbId}/file/add`, { file_id: '00000000-0000-4000-8000-000000000000' }],
      ['GET', '/api/v1/retrieval/config', undefined],
      ['POST', '/api/v1/knowledge/reindex', undefined],
    ] as const;
    for (const [method, path, body] of bad) {
      const res = await call<{ detail?: string; code?: string }>(alice, method, path, body);
      expect([path, res.status >= 400 && res.status < 500]).toEqual([path, true]);
      expect(typeof res.body.detail).toBe('string');
    }
    const config = await call<Record<string, unknown>>(admin, 'GET', '/api/v1/retrieval/config');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({
      status: true,
      TOP_K: expect.any(Number),
      RAG_EMBEDDING_ENGINE: '',
      reindex: { running: expect.any(Boolean) },
      embedding_dimensions: 0,
    });
    expect((await call(admin, 'POST', '/api/v1/retrieval/config/update', { TOP_K: 0 })).status).toBe(400);
    const saved = await call(admin, 'POST', '/api/v1/retrieval/config/update', { TOP_K: 7, web: {} });
    expect(saved).toMatchObject({ status: 200, body: { TOP_K: 7, CHUNK_SIZE: config.body.CHUNK_SIZE } });
  });

  it('tells the owner’s tabs how indexing goes, and nobody else’s', async () => {
    await waitFor(
      () =>
        aliceTab.events.some(
          (e) =>
            e.name === 'knowledge:status' &&
            (e.payload as { knowledge_base_id?: string; files_indexed?: number }).knowledge_base_id ===
              kbId &&
            (e.payload as { files_indexed?: number }).files_indexed === 1,
        ),
      10_000,
      'knowledge:status with files_indexed 1',
    );
    const indexed = aliceTab.events.find(
      (e) =>
        e.name === 'file:status' &&
        (e.payload as { stage?: string; file_id?: string }).stage === 'index' &&
        (e.payload as { file_id?: string }).file_id === fileId &&
        (e.payload as { state?: string }).state === 'FILE_INDEX_STATE_INDEXED',
    );
    expect(indexed?.payload).toMatchObject({ v: 1, user_id: alice.id, chunk_count: expect.any(Number) });
    // Extraction's file:status is unchanged (no stage).
    expect(
      aliceTab.events.some(
        (e) =>
          e.name === 'file:status' &&
          (e.payload as { file_id?: string; stage?: string }).file_id === fileId &&
          (e.payload as { stage?: string }).stage === undefined,
      ),
    ).toBe(true);
    expect(bobTab.events.filter((e) => e.name === 'knowledge:status' || e.name === 'file:status')).toEqual(
      [],
    );
  });

  it('drops a deleted file’s chunks: the query finds nothing of it', async () => {
    expect((await call(alice, 'DELETE', `/api/v1/files/${fileId}`)).status).toBe(200);
    const deadline = Date.now() + 30_000;
    let res = await queryCollection(alice);
    while (res.status === 200 && found(res) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      res = await queryCollection(alice);
    }
    expect(res.status).toBe(200);
    expect(res.body.documents[0]!.filter((d) => d.includes(WORD))).toEqual([]);
    expect(
      (
        await call(alice, 'POST', '/api/v1/retrieval/query/doc', {
          collection_name: fileId,
          query: QUESTION,
        })
      ).status,
    ).toBe(404);
  });
});
