import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { credentials, loadPackageDefinition, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { checkGrpcHealth } from '@parley/grpc';
import { apiV1Chats, apiV1Completions, apiV1Models } from '@parley/proto';
import { FakeLlm, Stack, startFakeLlm, startStack } from '@parley/testing';
import { failedCall, failureOf, GrpcApiClient, statusDetailsOf } from './support/grpc-api-client';
import { apiKeyOf, request, SignedUp, signUpsFrom } from './support/http';

const { ChatService, Role } = apiV1Chats;
const { CompletionService } = apiV1Completions;
const { ModelService } = apiV1Models;

/** A message of a chat document, as REST returns it. */
interface StoredMessage {
  role: string;
  content: string;
  parentId: string;
  done?: boolean;
  model?: string;
}

/**
 * The public gRPC API (parley.api.v1) on two gateway copies, called the way a platform team would: an
 * API key made through REST, plain grpc-js, the generated descriptors. Chats made or answered over gRPC
 * are the web app's chats (read back through REST); a cancelled stream closes the upstream request.
 */
describe('the public gRPC API on two gateway copies', () => {
  const signUpAs = signUpsFrom('2001:db8:15::');
  // DeleteChat is left out of the API keys' endpoints, so a key meets PERMISSION_DENIED there.
  const allowed = [
    '/parley.api.v1.ModelService/*',
    '/parley.api.v1.CompletionService/*',
    ...['CreateChat', 'GetChat', 'ListChats', 'UpdateChat', 'SearchChats', 'AppendMessage'].map(
      (m) => `/parley.api.v1.ChatService/${m}`,
    ),
  ];
  let stack: Stack;
  let upstream: FakeLlm;
  let owner: SignedUp;
  let other: SignedUp;
  let a: GrpcApiClient;
  let b: GrpcApiClient;
  let otherClient: GrpcApiClient;

  beforeAll(async () => {
    upstream = await startFakeLlm({ models: ['gpt-fake'] });
    stack = await startStack({
      copies: { auth: 1, chat: 2, 'model-gateway': 2, gateway: 2 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        OPENAI_API_BASE_URLS: upstream.openaiBaseUrl,
        ENABLE_OLLAMA_API: 'false',
        ENABLE_TITLE_GENERATION: 'false',
        ENABLE_API_KEY_ENDPOINT_RESTRICTIONS: 'true',
        API_KEY_ALLOWED_ENDPOINTS: allowed.join(','),
      },
    });
    const [gatewayA, gatewayB] = stack.gatewayUrls as [string, string];
    owner = await signUpAs(gatewayA, 'Owner');
    other = await signUpAs(gatewayB, 'Other');
    const key = await apiKeyOf(gatewayA, owner);
    const [targetA, targetB] = stack.grpcApiTargets as [string, string];
    a = new GrpcApiClient(targetA, key);
    b = new GrpcApiClient(targetB, key);
    otherClient = new GrpcApiClient(targetB, await apiKeyOf(gatewayB, other));
  });

  afterAll(async () => {
    for (const client of [a, b, otherClient]) client?.close();
    await stack?.stop();
    await upstream?.close();
  });

  afterEach(() => upstream?.set({ tokens: ['Hello', ',', ' world', '!'], tokenDelayMs: 0 }));

  const createChat = async (client: GrpcApiClient, title: string) =>
    (
      await client.unary<
        typeof apiV1Chats.CreateChatRequestSchema,
        typeof apiV1Chats.CreateChatResponseSchema
      >(ChatService, 'createChat', { title })
    ).chat!;
  const getChat = (client: GrpcApiClient, id: string) =>
    client.unary<typeof apiV1Chats.GetChatRequestSchema, typeof apiV1Chats.GetChatResponseSchema>(
      ChatService,
      'getChat',
      { id },
    );

  it('is SERVING on grpc.health.v1 on both copies, for the server and each service', async () => {
    for (const target of stack.grpcApiTargets) {
      expect(await checkGrpcHealth(target)).toBe('SERVING');
      expect(await checkGrpcHealth(target, 'parley.api.v1.CompletionService')).toBe('SERVING');
    }
  });

  it('lists the parley.api.v1 services over server reflection, with their descriptors', async () => {
    const definition = loadPackageDefinition(
      loadSync(require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'), {
        keepCase: true,
      }),
    ) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: new (t: string, c: unknown) => ReflectionClient } } };
    };
    type ReflectionClient = {
      serverReflectionInfo(): NodeJS.ReadWriteStream & { write(m: unknown): void; end(): void };
      close(): void;
    };
    const client = new definition.grpc.reflection.v1.ServerReflection(
      stack.grpcApiTargets[1]!,
      credentials.createInsecure(),
    );
    try {
      const call = client.serverReflectionInfo();
      interface ReflectionAnswer {
        list_services_response?: { service: Array<{ name: string }> };
        file_descriptor_response?: { file_descriptor_proto: Buffer[] };
      }
      const answers: ReflectionAnswer[] = [];
      const done = new Promise<void>((resolve, reject) => {
        call.on('data', (m: ReflectionAnswer) => answers.push(m));
        call.on('end', resolve);
        call.on('error', reject);
      });
      call.write({ list_services: '*' });
      call.write({ file_containing_symbol: 'parley.api.v1.ChatService' });
      call.end();
      await done;
      const names = answers[0]!.list_services_response!.service.map((s) => s.name);
      expect(names.sort()).toEqual([
        'parley.api.v1.AdminService',
        'parley.api.v1.ChatService',
        'parley.api.v1.CompletionService',
        'parley.api.v1.FileService',
        'parley.api.v1.KnowledgeService',
        'parley.api.v1.ModelService',
      ]);
      const files = answers[1]!.file_descriptor_response!.file_descriptor_proto.map((bytes) =>
        fromBinary(FileDescriptorProtoSchema, bytes),
      );
      const chatFile = files.find((f) => f.name === 'parley/api/v1/chat_service.proto')!;
      expect(chatFile.service[0]!.method.map((m) => m.name)).toEqual(
        expect.arrayContaining(['CreateChat', 'GetChat', 'ListChats', 'AppendMessage']),
      );
      // Its import comes along, so a client can resolve every type.
      expect(files.map((f) => f.name)).toContain('google/protobuf/field_mask.proto');
    } finally {
      client.close();
    }
  });

  it("lists the models and the caller's presets with an API key on either copy", async () => {
    const presetId = `tutor-${randomUUID().slice(0, 8)}`;
    const created = await request(stack.gatewayUrls[0]!, 'POST', '/api/v1/models/create', {
      token: owner.token,
      body: {
        id: presetId,
        base_model_id: 'gpt-fake',
        name: 'Patient tutor',
        meta: {},
        params: { system: 'You are a patient tutor.' },
        // private: the owner's alone
        access_control: { read: { group_ids: [], user_ids: [] }, write: { group_ids: [], user_ids: [] } },
      },
    });
    expect(created.status).toBe(200);
    const list = (client: GrpcApiClient) =>
      client.unary<typeof apiV1Models.ListModelsRequestSchema, typeof apiV1Models.ListModelsResponseSchema>(
        ModelService,
        'listModels',
        {},
      );
    for (const client of [a, b]) {
      const reply = await list(client);
      expect(reply.models.map((m) => ({ id: m.id, ownedBy: m.ownedBy, baseModelId: m.baseModelId }))).toEqual(
        [
          { id: 'gpt-fake', ownedBy: 'openai', baseModelId: '' },
          { id: presetId, ownedBy: 'openai', baseModelId: 'gpt-fake' },
        ],
      );
      expect(reply.models[1]!.name).toBe('Patient tutor');
    }
    expect((await list(otherClient)).models.map((m) => m.id)).toEqual(['gpt-fake']);
  });

  it('streams a completion into a chat made on the other copy, and REST reads the same messages', async () => {
    const chat = await createChat(a, 'From gRPC');
    expect(chat.name).toBe(`chats/${chat.id}`);
    const responses = await b.collect<typeof apiV1Completions.StreamCompletionResponseSchema>(
      CompletionService,
      'streamCompletion',
      {
        model: 'gpt-fake',
        chatId: chat.id,
        messages: [{ role: Role.USER, content: 'Say hello' }],
        parameters: { temperature: 0.5 },
      },
    );
    const last = responses.at(-1)!;
    expect(responses.slice(0, -1).every((r) => !r.done && r.delta)).toBe(true);
    expect(responses.map((r) => r.delta).join('')).toBe('Hello, world!');
    expect(last.done).toBe(true);
    expect(last.usage?.completionTokens).toBeGreaterThan(0);
    expect(new Set(responses.map((r) => r.messageId)).size).toBe(1);
    expect(upstream.stats.lastRequest?.body).toMatchObject({ model: 'gpt-fake', temperature: 0.5 });

    const read = (await getChat(a, chat.id)).chat!;
    expect(read.messages.map((m) => [m.role, m.content, m.done])).toEqual([
      [Role.USER, 'Say hello', true],
      [Role.ASSISTANT, 'Hello, world!', true],
    ]);
    expect(read.messages[1]!.id).toBe(last.messageId);
    expect(read.currentMessageId).toBe(last.messageId);

    const rest = await request<{
      chat: { history: { currentId: string; messages: Record<string, StoredMessage> } };
    }>(stack.gatewayUrls[1]!, 'GET', `/api/v1/chats/${chat.id}`, { token: owner.token });
    expect(rest.status).toBe(200);
    const history = rest.body.chat.history;
    expect(history.currentId).toBe(last.messageId);
    const answer = history.messages[last.messageId]!;
    expect(answer).toMatchObject({
      role: 'assistant',
      content: 'Hello, world!',
      done: true,
      model: 'gpt-fake',
    });
    expect(history.messages[answer.parentId]).toMatchObject({ role: 'user', content: 'Say hello' });
  });

  it('answers Complete in one piece, and appends messages under the current one', async () => {
    const chat = await createChat(b, 'Unary');
    const appended = await a.unary<
      typeof apiV1Chats.AppendMessageRequestSchema,
      typeof apiV1Chats.AppendMessageResponseSchema
    >(ChatService, 'appendMessage', { chatId: chat.id, role: Role.SYSTEM, content: 'Be brief.' });
    expect(appended.message).toMatchObject({ role: Role.SYSTEM, content: 'Be brief.', parentId: '' });
    const reply = await b.unary<
      typeof apiV1Completions.CompleteRequestSchema,
      typeof apiV1Completions.CompleteResponseSchema
    >(CompletionService, 'complete', {
      model: 'gpt-fake',
      chatId: chat.id,
      messages: [
        { role: Role.SYSTEM, content: 'Be brief.' },
        { role: Role.USER, content: 'Hi' },
      ],
    });
    expect(reply.content).toBe('Hello, world!');
    const read = (await getChat(a, chat.id)).chat!;
    expect(read.messages.map((m) => m.content)).toEqual(['Be brief.', 'Hi', 'Hello, world!']);
    expect(read.messages[1]!.parentId).toBe(appended.message!.id);
  });

  it('pages ListChats with page tokens, and refuses a token that is not one', async () => {
    const titles = [`p-${randomUUID()}`, `p-${randomUUID()}`, `p-${randomUUID()}`];
    for (const title of titles) await createChat(otherClient, title);
    const list = (pageToken: string) =>
      otherClient.unary<typeof apiV1Chats.ListChatsRequestSchema, typeof apiV1Chats.ListChatsResponseSchema>(
        ChatService,
        'listChats',
        { pageSize: 2, pageToken },
      );
    const first = await list('');
    expect(first.chats).toHaveLength(2);
    expect(first.nextPageToken).not.toBe('');
    const second = await list(first.nextPageToken);
    expect(second.nextPageToken).toBe('');
    expect([...first.chats, ...second.chats].map((c) => c.title).sort()).toEqual([...titles].sort());

    const bad = await failureOf(list('not-a-token'));
    expect(bad).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'INVALID_INPUT' });
    expect(bad.details).toContain('page_token');
  });

  it('renames with UpdateChat and finds the chat with SearchChats', async () => {
    const chat = await createChat(a, 'old name');
    const word = `zebra${randomUUID().slice(0, 8)}`;
    const updated = await b.unary<
      typeof apiV1Chats.UpdateChatRequestSchema,
      typeof apiV1Chats.UpdateChatResponseSchema
    >(ChatService, 'updateChat', { chat: { id: chat.id, title: word }, updateMask: { paths: ['title'] } });
    expect(updated.chat?.title).toBe(word);
    const found = await a.unary<
      typeof apiV1Chats.SearchChatsRequestSchema,
      typeof apiV1Chats.SearchChatsResponseSchema
    >(ChatService, 'searchChats', { query: word });
    expect(found.chats.map((c) => c.id)).toEqual([chat.id]);
    const wrongMask = await failureOf(
      a.unary(ChatService, 'updateChat', { chat: { id: chat.id }, updateMask: { paths: ['pinned'] } }),
    );
    expect(wrongMask.code).toBe(status.INVALID_ARGUMENT);
  });

  it('cancelling a stream closes the upstream request within 100 ms, and keeps the text so far', async () => {
    upstream.set({ tokens: Array.from({ length: 200 }, (_, i) => `t${i} `), tokenDelayMs: 50 });
    const chat = await createChat(a, 'Cancelled');
    const aborted = upstream.stats.abortedStreams;
    const call = a.stream(CompletionService, 'streamCompletion', {
      model: 'gpt-fake',
      chatId: chat.id,
      messages: [{ role: Role.USER, content: 'Count' }],
    });
    call.on('error', () => undefined); // CANCELLED, expected
    await new Promise<void>((resolve) => call.once('data', () => resolve()));
    const cancelledAt = Date.now();
    call.cancel();
    await upstream.waitFor((s) => s.abortedStreams > aborted, 5_000);
    expect(Date.now() - cancelledAt).toBeLessThan(100);
    // The partial answer is saved as finished, as the web app's Stop leaves it.
    let answer: apiV1Chats.Message | undefined;
    for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
      answer = (await getChat(a, chat.id)).chat!.messages[1];
      if (answer?.done) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(answer).toMatchObject({ role: Role.ASSISTANT, done: true });
    expect(answer!.content).toMatch(/^t0 /);
  });

  it('is UNAUTHENTICATED without or with bad credentials, on every service', async () => {
    for (const credential of [null, 'sk-not-a-real-key', 'not.a.jwt']) {
      for (const [service, method] of [
        [ModelService, 'listModels'],
        [ChatService, 'listChats'],
        [CompletionService, 'complete'],
      ] as const) {
        const failure = await failureOf(a.unary(service, method, {}, { credential }));
        expect({ credential, method, code: failure.code }).toEqual({
          credential,
          method,
          code: status.UNAUTHENTICATED,
        });
      }
    }
  });

  it("is NOT_FOUND for someone else's chat, and PERMISSION_DENIED where the key may not go", async () => {
    const mine = await createChat(a, 'Private');
    // Each call starts when it is awaited: one that fails before its turn would be an unhandled rejection.
    for (const call of [
      () => getChat(otherClient, mine.id),
      () =>
        otherClient.unary(ChatService, 'appendMessage', { chatId: mine.id, role: Role.USER, content: 'hi' }),
      () =>
        otherClient.unary(CompletionService, 'complete', {
          model: 'gpt-fake',
          chatId: mine.id,
          messages: [{ role: Role.USER, content: 'hi' }],
        }),
    ])
      expect(await failureOf(call())).toMatchObject({ code: status.NOT_FOUND, reason: 'CHAT_NOT_FOUND' });
    // The chat is untouched.
    expect((await getChat(a, mine.id)).chat!.messages).toEqual([]);

    const denied = await failureOf(a.unary(ChatService, 'deleteChat', { id: mine.id }));
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    // The same user's access token is not limited to the key's endpoints.
    const byToken = new GrpcApiClient(stack.grpcApiTargets[0]!, owner.token);
    try {
      await byToken.unary(ChatService, 'deleteChat', { id: mine.id });
      expect((await failureOf(getChat(a, mine.id))).code).toBe(status.NOT_FOUND);
    } finally {
      byToken.close();
    }
  });

  it('answers invalid input with INVALID_ARGUMENT and a google.rpc.BadRequest naming the field, never INTERNAL', async () => {
    // [call, the field in the message, the field violation's path]
    const cases: Array<[() => Promise<unknown>, string, string]> = [
      [() => getChat(a, ''), 'id', 'id'],
      [
        () => a.unary(CompletionService, 'complete', { model: 'gpt-fake', messages: [] }),
        'messages',
        'messages',
      ],
      [
        () => a.unary(CompletionService, 'complete', { model: '', messages: [{ role: Role.USER }] }),
        'model',
        'model',
      ],
      [
        () =>
          a.unary(CompletionService, 'complete', { model: 'gpt-fake', messages: [{ content: 'no role' }] }),
        'messages[0].role',
        'messages[0].role',
      ],
      [
        () =>
          a.unary(CompletionService, 'complete', {
            model: 'gpt-fake',
            messages: [{ role: Role.USER, content: 'x' }],
            parameters: { temperature: 7 },
          }),
        'parameters.temperature',
        'parameters.temperature',
      ],
      [() => createChat(a, 'x'.repeat(5000)), 'title', 'title'],
      // Refused by the server's input check before any handler: the message names the decoded path.
      [() => createChat(a, 'nul \u0000 byte'), 'request', 'title'],
      [
        () =>
          a.unary(ChatService, 'updateChat', {
            chat: { id: 'x', title: 't' },
            updateMask: { paths: ['pinned'] },
          }),
        'update_mask',
        'update_mask',
      ],
    ];
    for (const [call, field, violation] of cases) {
      const error = await failedCall(call());
      expect({ field, code: error.code }).toEqual({ field, code: status.INVALID_ARGUMENT });
      expect(error.details).toContain(field);
      expect(statusDetailsOf(error)).toMatchObject({
        code: status.INVALID_ARGUMENT,
        domain: 'parley',
        fieldViolations: [{ field: violation, description: expect.any(String) }],
      });
    }
    const unknownModel = await failureOf(
      a.unary(CompletionService, 'complete', {
        model: 'nope',
        messages: [{ role: Role.USER, content: 'x' }],
      }),
    );
    expect(unknownModel.code).toBe(status.NOT_FOUND);
  });
});
