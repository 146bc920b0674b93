import { randomUUID } from 'node:crypto';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { parseConfig } from '@parley/config';
import { ErrorKind } from '@parley/errors';
import { createGrpcClient } from '@parley/grpc';
import { chatV1, eventsV1 } from '@parley/proto';
import {
  createTestDatabase,
  InProcessService,
  startInProcess,
  TestDatabase,
  testInfrastructure,
  testCallerSigning,
  TEST_CALLER_SECRET,
} from '@parley/testing';
import { ChatAppModule } from '../src/app.module';
import { chatConfigSchema } from '../src/chat.config';
import { as } from './chat-service-harness';

describe('chat service over gRPC, against PostgreSQL and NATS', () => {
  let db: TestDatabase;
  let service: InProcessService;
  let chat: ReturnType<typeof createGrpcClient<(typeof chatV1.ChatService)['method']>>;
  let nats: NatsConnection;
  const alice = randomUUID();
  const bob = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    const infra = await testInfrastructure();
    const config = parseConfig(chatConfigSchema, {
      CALLER_ASSERTION_SECRET: TEST_CALLER_SECRET,
      DATABASE_URL: db.url,
      NATS_URL: infra.natsUrl,
      CHAT_PAGE_SIZE: '3',
      CHAT_MAX_DOCUMENT_BYTES: '20000',
      CHAT_TITLE_MAX_LENGTH: '50',
    });
    service = await startInProcess('chat', ({ logger, grpcHost }) =>
      ChatAppModule.register(config, logger, grpcHost),
    );
    chat = createGrpcClient(chatV1.ChatService, service.grpcTarget, {
      deadlineMs: 5_000,
      peerName: 'chat',
      signing: testCallerSigning('chat'),
    });
    nats = await connect({ servers: infra.natsUrl });
  });

  afterAll(async () => {
    chat.close();
    await nats.close();
    await service.stop();
    await db.drop();
  });

  it('publishes chat.created with the owner and title after saving', async () => {
    const subscription = nats.subscribe('chat.created');
    const received = (async () => {
      for await (const message of subscription) {
        const event = JSONCodec<eventsV1.ChatCreatedJson>().decode(message.data);
        if (event.chat?.user_id === alice) return event;
      }
      return undefined;
    })();
    const { chat: created } = await chat.createChat({ title: 'Evented', chatJson: '{}' }, as(alice));
    const event = await received;
    subscription.unsubscribe();
    expect(event).toEqual({
      v: 1,
      chat: expect.objectContaining({ id: created!.id, user_id: alice, title: 'Evented' }),
    });
  });

  it('stores the message tree as rows and gives back the same Open WebUI document', async () => {
    const document = {
      title: 'Branches',
      models: ['llama3'],
      params: { temperature: 0.2 },
      tags: ['x'],
      history: {
        currentId: 'a2',
        messages: {
          u1: {
            id: 'u1',
            parentId: null,
            childrenIds: ['a1', 'a2'],
            role: 'user',
            content: 'hi',
            timestamp: 10,
          },
          a1: {
            id: 'a1',
            parentId: 'u1',
            childrenIds: [],
            role: 'assistant',
            content: 'first',
            model: 'llama3',
            timestamp: 11,
          },
          a2: {
            id: 'a2',
            parentId: 'u1',
            childrenIds: [],
            role: 'assistant',
            content: 'second',
            model: 'llama3',
            timestamp: 12,
            usage: { total_tokens: 5 },
          },
        },
      },
    };
    const { chat: created } = await chat.createChat(
      { title: '', chatJson: JSON.stringify(document) },
      as(alice),
    );
    const { chat: opened } = await chat.getChat({ chatId: created!.id }, as(alice));
    const back = JSON.parse(opened!.chatJson);
    expect(opened!.title).toBe('Branches');
    expect(back.history).toEqual(document.history);
    expect(back.messages.map((m: { id: string }) => m.id)).toEqual(['u1', 'a2']);
    expect(back).toMatchObject({ models: ['llama3'], params: { temperature: 0.2 }, tags: ['x'] });
  });

  it("answers NOT_FOUND for another user's chat, an unknown id and a malformed id alike", async () => {
    const { chat: created } = await chat.createChat({ title: 'Private', chatJson: '{}' }, as(alice));
    for (const [userId, chatId] of [
      [bob, created!.id],
      [alice, randomUUID()],
      [alice, 'not-a-uuid'],
    ]) {
      await expect(chat.getChat({ chatId: chatId! }, as(userId!))).rejects.toMatchObject({
        kind: ErrorKind.NotFound,
        message: 'No such chat.',
      });
    }
  });

  it("lists only the caller's chats, newest first, a fixed page at a time", async () => {
    const owner = randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await chat.createChat({ title: `c${i}`, chatJson: '{}' }, as(owner))).chat!.id);
    const page1 = (await chat.listChats({ page: 1 }, as(owner))).chats.map((c) => c.title);
    const page2 = (await chat.listChats({ page: 2 }, as(owner))).chats.map((c) => c.title);
    const page3 = (await chat.listChats({ page: 3 }, as(owner))).chats;
    expect(page1).toEqual(['c4', 'c3', 'c2']);
    expect(page2).toEqual(['c1', 'c0']);
    expect(page3).toEqual([]);
    expect((await chat.listChats({ page: 1 }, as(randomUUID()))).chats).toEqual([]);
  });

  it('enforces the limits with messages that state them', async () => {
    await expect(chat.createChat({ title: 'x'.repeat(51), chatJson: '{}' }, as(alice))).rejects.toMatchObject(
      {
        kind: ErrorKind.InvalidArgument,
        message: 'The title is longer than the limit of 50 characters.',
      },
    );
    await expect(
      chat.createChat({ title: 'big', chatJson: JSON.stringify({ pad: 'x'.repeat(30_000) }) }, as(alice)),
    ).rejects.toMatchObject({
      kind: ErrorKind.PayloadTooLarge,
      message: 'The chat is larger than the limit of 20000 bytes.',
    });
    await expect(chat.createChat({ title: 'bad', chatJson: '{"history":' }, as(alice))).rejects.toMatchObject(
      { kind: ErrorKind.InvalidArgument },
    );
    await expect(
      chat.createChat(
        {
          title: 'orphan',
          chatJson: JSON.stringify({
            history: { messages: { m: { id: 'm', parentId: 'ghost', role: 'user', content: '' } } },
          }),
        },
        as(alice),
      ),
    ).rejects.toThrow('names a parent that is not in the chat');
    await expect(chat.createChat({ title: 'x', chatJson: '{}' }, as('nobody'))).rejects.toMatchObject({
      kind: ErrorKind.InvalidArgument,
    });
  });
});
