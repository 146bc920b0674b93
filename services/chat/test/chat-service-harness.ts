import { connect, JSONCodec, NatsConnection } from 'nats';
import { parseConfig } from '@parley/config';
import { createGrpcClient, type UserCaller } from '@parley/grpc';
import { chatV1, eventsV1 } from '@parley/proto';
import {
  createTestDatabase,
  InProcessService,
  startInProcess,
  TestDatabase,
  testInfrastructure,
  testCallerSigning,
  userCaller,
  TEST_CALLER_SECRET,
} from '@parley/testing';
import { ChatAppModule } from '../src/app.module';
import { chatConfigSchema } from '../src/chat.config';

export type ChatClient = ReturnType<typeof createGrpcClient<(typeof chatV1.ChatService)['method']>>;

/** Every chat permission, as a user who may do everything with their own chats has them. */
export const CHAT_PERMISSIONS = ['chat.delete', 'chat.edit', 'chat.export', 'chat.share'] as const;

/** Call options acting as the user (every chat permission unless given). */
export function as(
  userId: string,
  { role = 'user', permissions = CHAT_PERMISSIONS }: { role?: string; permissions?: Iterable<string> } = {},
): { caller: UserCaller } {
  return { caller: userCaller(userId, { role: role as UserCaller['role'], permissions }) };
}

export interface Harness {
  chat: ChatClient;
  /** The service's gRPC address, for tests that make their own clients. */
  target: string;
  nats: NatsConnection;
  db: TestDatabase;
  stop(): Promise<void>;
}

/** The chat service in-process on a fresh database, with a gRPC client and a NATS connection. */
export async function startChatService(env: Record<string, string> = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const infra = await testInfrastructure();
  const config = parseConfig(chatConfigSchema, {
    DATABASE_URL: db.url,
    NATS_URL: infra.natsUrl,
    CALLER_ASSERTION_SECRET: TEST_CALLER_SECRET,
    ...env,
  });
  const service: InProcessService = await startInProcess('chat', ({ logger, grpcHost }) =>
    ChatAppModule.register(config, logger, grpcHost),
  );
  const chat = createGrpcClient(chatV1.ChatService, service.grpcTarget, {
    deadlineMs: 10_000,
    peerName: 'chat',
    signing: testCallerSigning('chat'),
  });
  const nats = await connect({ servers: infra.natsUrl });
  return {
    chat,
    target: service.grpcTarget,
    nats,
    db,
    async stop() {
      chat.close();
      await nats.close();
      await service.stop();
      await db.drop();
    },
  };
}

/** A chat.* payload in its JSON form (ChatUpdated has every field the other chat events have). */
export type ChatEvent = eventsV1.ChatUpdatedJson;

/** Records every chat.* event of one user. */
export function recordEvents(nats: NatsConnection, userId: string) {
  const events: Array<{ subject: string; event: ChatEvent }> = [];
  const subscription = nats.subscribe('chat.*');
  void (async () => {
    for await (const message of subscription) {
      const event = JSONCodec<ChatEvent>().decode(message.data);
      if (event.chat?.user_id === userId) events.push({ subject: message.subject, event });
    }
  })();
  return {
    events,
    async waitFor(predicate: (e: { subject: string; event: ChatEvent }) => boolean, ms = 3_000) {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const found = events.find(predicate);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no matching event among ${JSON.stringify(events.map((e) => e.subject))}`);
    },
    stop: () => subscription.unsubscribe(),
  };
}

export interface Doc {
  title: string;
  history: {
    currentId: string | null;
    messages: Record<
      string,
      {
        id: string;
        parentId: string | null;
        childrenIds: string[];
        role: string;
        content: string;
        [k: string]: unknown;
      }
    >;
  };
  messages: Array<{ id: string }>;
  [k: string]: unknown;
}

export const docOf = (chat: chatV1.Chat | undefined): Doc => JSON.parse(chat!.chatJson) as Doc;
