import { randomBytes, randomUUID } from 'node:crypto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { type ServiceError, status } from '@grpc/grpc-js';
import { apiV1Knowledge } from '@parley/proto';
import { Stack, startStack } from '@parley/testing';
import { failureOf, GrpcApiClient } from './support/grpc-api-client';
import { apiKeyOf, request, signUpsFrom, uploadFile, type SignedUp } from './support/http';

const { KnowledgeService, Visibility, IndexState } = apiV1Knowledge;
type S = typeof apiV1Knowledge;

// A word no other suite indexes, so a hit can only be this suite's file.
const WORD = `vrelk${randomBytes(4).toString('hex')}`;
const FACT = `The Dunmore ferry captain feeds ${WORD} gulls at every crossing.`;

/**
 * parley.api.v1.KnowledgeService with an API key, keyword-only retrieval (no embedding model): a base
 * made over gRPC takes a file uploaded through REST, indexes it, and Query finds the fact with its file
 * and base; another user's key meets NOT_FOUND on that base, and PERMISSION_DENIED creating one without
 * workspace.knowledge.
 */
describe('the public gRPC API: KnowledgeService', () => {
  const signUpAs = signUpsFrom('2001:db8:15b::');
  let stack: Stack;
  let gateway: string;
  let owner: SignedUp;
  let mine: GrpcApiClient;
  let theirs: GrpcApiClient;

  const create = (client: GrpcApiClient, displayName: string) =>
    client.unary<S['CreateKnowledgeBaseRequestSchema'], S['CreateKnowledgeBaseResponseSchema']>(
      KnowledgeService,
      'createKnowledgeBase',
      { knowledgeBase: { displayName, description: 'Ferries', visibility: Visibility.PRIVATE } },
    );
  const addFile = (client: GrpcApiClient, knowledgeBaseId: string, fileId: string) =>
    client.unary<S['AddFileRequestSchema'], S['AddFileResponseSchema']>(KnowledgeService, 'addFile', {
      knowledgeBaseId,
      fileId,
    });
  const query = (client: GrpcApiClient, fields: MessageInitShape<S['QueryRequestSchema']>) =>
    client.unary<S['QueryRequestSchema'], S['QueryResponseSchema']>(KnowledgeService, 'query', fields);
  const list = (client: GrpcApiClient, pageSize: number, pageToken = '') =>
    client.unary<S['ListKnowledgeBasesRequestSchema'], S['ListKnowledgeBasesResponseSchema']>(
      KnowledgeService,
      'listKnowledgeBases',
      { pageSize, pageToken },
    );

  beforeAll(async () => {
    // workspace.knowledge is off by default: a group grants it to the owner only.
    stack = await startStack({
      copies: { auth: 1, files: 1, retrieval: 1, gateway: 1 },
      env: { DEFAULT_USER_ROLE: 'user' },
    });
    gateway = stack.gatewayUrls[0]!;
    const admin = await signUpAs(gateway, 'Admin');
    owner = await signUpAs(gateway, 'Owner');
    const other = await signUpAs(gateway, 'Other');
    const group = await request(gateway, 'POST', '/api/v1/groups/create', {
      token: admin.token,
      body: {
        name: `knowledge-${randomUUID()}`,
        permissions: { 'workspace.knowledge': true },
        user_ids: [owner.id],
      },
    });
    expect(group.status).toBe(200);
    mine = new GrpcApiClient(stack.grpcApiTargets[0]!, await apiKeyOf(gateway, owner));
    theirs = new GrpcApiClient(stack.grpcApiTargets[0]!, await apiKeyOf(gateway, other));
  }, 180_000);

  afterAll(async () => {
    mine?.close();
    theirs?.close();
    await stack?.stop();
  });

  it('creates a base, adds an uploaded file, indexes it, and Query finds the fact; another key gets NOT_FOUND', async () => {
    // The group's grant reaches the caller profiles a moment after the group is made.
    let created: apiV1Knowledge.KnowledgeBase | undefined;
    for (const deadline = Date.now() + 5_000; !created;) {
      try {
        created = (await create(mine, 'Ferries')).knowledgeBase!;
      } catch (error) {
        if ((error as ServiceError).code !== status.PERMISSION_DENIED || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(created).toMatchObject({
      name: `knowledgeBases/${created.id}`,
      displayName: 'Ferries',
      description: 'Ferries',
      visibility: Visibility.PRIVATE,
      ownerId: owner.id,
      writable: true,
      fileIds: [],
    });

    const fileId = await uploadFile(gateway, owner, `Harbour notes.\n\n${FACT}\n`, 'ferry.txt');
    const added = (await addFile(mine, created.id, fileId)).knowledgeBase!;
    expect(added.fileIds).toEqual([fileId]);
    expect(added.files.map((f) => f.fileId)).toEqual([fileId]);

    // Extraction, then indexing in the background: AddFile again (a no-op) shows where it stands.
    let state = added.files[0]!;
    for (const deadline = Date.now() + 60_000; state.state !== IndexState.INDEXED && Date.now() < deadline;) {
      if (state.state === IndexState.FAILED) throw new Error(`indexing failed: ${state.error}`);
      await new Promise((r) => setTimeout(r, 200));
      state = (await addFile(mine, created.id, fileId)).knowledgeBase!.files[0]!;
    }
    expect(state).toMatchObject({ fileId, fileName: 'ferry.txt', state: IndexState.INDEXED });
    expect(state.chunkCount).toBeGreaterThan(0);

    const found = await query(mine, {
      query: `Who feeds ${WORD} gulls?`,
      knowledgeBaseIds: [created.id],
      topK: 3,
    });
    expect(found.results[0]).toMatchObject({
      fileId,
      fileName: 'ferry.txt',
      knowledgeBaseId: created.id,
      page: 0,
    });
    expect(found.results[0]!.text).toContain(WORD);
    expect(found.results[0]!.score).toBeGreaterThan(0);
    const byFile = await query(mine, { query: WORD, fileIds: [fileId] });
    expect(byFile.results[0]).toMatchObject({ fileId, knowledgeBaseId: '' });

    const listed = await list(mine, 10);
    expect(listed.knowledgeBases.map((k) => k.id)).toContain(created.id);
    expect(listed.knowledgeBases.find((k) => k.id === created.id)?.fileIds).toEqual([fileId]);

    // Someone else's private base and file are as good as absent.
    expect((await failureOf(query(theirs, { query: WORD, knowledgeBaseIds: [created.id] }))).code).toBe(
      status.NOT_FOUND,
    );
    expect((await failureOf(query(theirs, { query: WORD, fileIds: [fileId] }))).code).toBe(status.NOT_FOUND);
    expect((await failureOf(addFile(theirs, created.id, fileId))).code).toBe(status.NOT_FOUND);
    expect((await list(theirs, 10)).knowledgeBases.map((k) => k.id)).not.toContain(created.id);
  }, 120_000);

  it('pages the list with next_page_token, and refuses a forged token', async () => {
    for (const n of [1, 2]) await create(mine, `Page ${n}`);
    const first = await list(mine, 2);
    expect(first.knowledgeBases).toHaveLength(2);
    expect(first.nextPageToken).not.toBe('');
    const second = await list(mine, 2, first.nextPageToken);
    expect(second.knowledgeBases.length).toBeGreaterThan(0);
    const ids = [...first.knowledgeBases, ...second.knowledgeBases].map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    const forged = await failureOf(list(mine, 2, 'not-a-token'));
    expect(forged).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('page_token'),
    });
  });

  it('refuses creating without workspace.knowledge, and bad input with the field named', async () => {
    expect((await failureOf(create(theirs, 'Mine now'))).code).toBe(status.PERMISSION_DENIED);
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => create(mine, ''), 'knowledge_base.display_name'],
      [() => query(mine, { query: '', knowledgeBaseIds: ['x'] }), 'query'],
      [() => query(mine, { query: 'x' }), 'knowledge_base_ids'],
      [() => query(mine, { query: 'x', fileIds: ['f'], topK: 101 }), 'top_k'],
      [() => addFile(mine, '', 'f'), 'knowledge_base_id'],
      [() => list(mine, -1), 'page_size'],
    ];
    // Each call starts when it is awaited: a rejection nobody awaits yet would fail the suite.
    for (const [call, field] of cases)
      expect(await failureOf(call())).toEqual({
        code: status.INVALID_ARGUMENT,
        reason: 'INVALID_INPUT',
        details: expect.stringContaining(`${field}:`),
      });
  });
});
