import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { startStack, Stack, testInfrastructure } from '@parley/testing';
import type { eventsV1 } from '@parley/proto';
import { forgedToken } from './support/forged-token';
import { request, signUp, SignedUp } from './support/http';
import { connectNats, publishJson, RawSocketIoClient, readCompletion } from './support/realtime-clients';
import { connectSocket, RecordingSocket, socketRefusal, waitFor } from './support/sockets';

const USERS = 50;
const SOCKETS_PER_USER = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The events one user's sockets must receive, and nobody else's. */
const USER_EVENTS = new Set([
  'chat:created',
  'chat:updated',
  'chat:title',
  'chat:deleted',
  'chat:completion',
  'task:started',
  'task:stopped',
]);

/** The chat id an event is about, whatever its shape. */
function chatIdOf(payload: unknown): string | undefined {
  const p = payload as { chat?: { id?: string }; task?: { chat_id?: string }; chat_id?: string };
  return p.chat?.id ?? p.task?.chat_id ?? p.chat_id;
}

/**
 * Two realtime copies, two gateways, 200 socket.io-client sockets of 50 users: each user has a socket
 * directly on each realtime copy and one through each gateway. Every event (from the chat service over
 * HTTP, and published on NATS as the other services do) is counted on every socket.
 */
describe('realtime fan-out across two copies', () => {
  let stack: Stack;
  let nats: NatsConnection;
  let users: SignedUp[];
  const chatOf = new Map<string, string>(); // user id → their chat id
  const sockets: Array<{ user: SignedUp; socket: RecordingSocket; target: string }> = [];
  let targets: string[];

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 2, realtime: 2, gateway: 2 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        REALTIME_CLUSTER: `e2e-fanout-${process.pid}`,
        REALTIME_USAGE_TTL_SECONDS: '4',
        REALTIME_SESSION_TTL_SECONDS: '6',
        WEBSOCKET_SERVER_PING_INTERVAL: '9',
        WEBSOCKET_SERVER_PING_TIMEOUT: '7',
      },
    });
    nats = await connectNats((await testInfrastructure()).natsUrl);
    targets = [...stack.realtimeUrls, ...stack.gatewayUrls];
    users = [];
    // The first account is the admin; sign-ups in small batches (password hashing is CPU work).
    users.push(await signUp(stack.gatewayUrls[0]!, 'User 0', `fanout-0-${randomUUID()}@example.com`));
    for (let start = 1; start < USERS; start += 7) {
      const batch = [];
      for (let u = start; u < Math.min(USERS, start + 7); u++) {
        batch.push(signUp(stack.gatewayUrls[u % 2]!, `User ${u}`, `fanout-${u}-${randomUUID()}@example.com`));
      }
      users.push(...(await Promise.all(batch)));
    }
    for (let u = 0; u < USERS; u++) {
      for (let i = 0; i < SOCKETS_PER_USER; i++) {
        const target = targets[(u + i) % targets.length]!;
        sockets.push({ user: users[u]!, socket: await connectSocket(target, users[u]!.token), target });
      }
    }
  }, 180_000);

  afterAll(async () => {
    sockets.forEach((s) => s.socket.close());
    await nats?.drain();
    await stack?.stop();
  });

  it('delivers each event to exactly its user’s sockets: 200 sockets, 50 users, both copies', async () => {
    expect(users[0]!.role).toBe('admin');
    expect(sockets).toHaveLength(USERS * SOCKETS_PER_USER);
    expect(new Set(sockets.map((s) => s.target)).size).toBe(4);

    // chat:created from the chat service, through either gateway (ten at a time).
    for (let start = 0; start < USERS; start += 10) {
      await Promise.all(
        users.slice(start, start + 10).map(async (user, i) => {
          const u = start + i;
          const created = await request<{ id: string }>(
            stack.gatewayUrls[u % 2]!,
            'POST',
            '/api/v1/chats/new',
            {
              token: user.token,
              body: { chat: { title: `Chat of ${u}` } },
            },
          );
          expect({ status: created.status, body: created.body }).toMatchObject({ status: 200 });
          chatOf.set(user.id, created.body.id);
        }),
      );
    }
    // The rest as the chat and model-gateway services publish them.
    for (const [u, user] of users.entries()) {
      const chat = { id: chatOf.get(user.id)!, user_id: user.id };
      publishJson(nats, 'chat.updated', { v: 1, chat: { ...chat, title: 'renamed' } });
      publishJson(nats, 'chat.updated', { v: 1, chat: { ...chat, title: 'renamed again' } });
      publishJson(nats, 'chat.title_set', { v: 1, chat: { ...chat, title: 'A title' } });
      const task = { id: `task-${user.id}`, user_id: user.id, chat_id: chat.id, model_id: `model-${u % 3}` };
      publishJson(nats, 'task.started', { v: 1, task });
      const messageId = `msg-${user.id}`;
      for (let seq = 1; seq <= 5; seq++) {
        publishJson(nats, `completion.${messageId}`, {
          v: 1,
          user_id: user.id,
          chat_id: chat.id,
          message_id: messageId,
          seq,
          delta: `part ${seq} `,
          done: seq === 5,
        });
      }
      publishJson(nats, 'task.stopped', { v: 1, task });
      publishJson(nats, 'chat.deleted', { v: 1, chat });
    }
    await nats.flush();

    const EXPECTED = 1 + 2 + 1 + 1 + 5 + 2;
    const userEvents = (s: RecordingSocket) => s.events.filter((e) => USER_EVENTS.has(e.name));
    await waitFor(
      () => sockets.every((s) => userEvents(s.socket).length >= EXPECTED),
      30_000,
      'every socket to receive its user’s events',
    );
    await sleep(1_000); // time for a stray or doubled delivery to show
    for (const { user, socket } of sockets) {
      const events = userEvents(socket);
      const byName = Object.fromEntries(
        [...USER_EVENTS].map((n) => [n, events.filter((e) => e.name === n).length]),
      );
      expect(byName).toEqual({
        'chat:created': 1,
        'chat:updated': 2,
        'chat:title': 1,
        'chat:deleted': 1,
        'chat:completion': 5,
        'task:started': 1,
        'task:stopped': 1,
      });
      expect(events).toHaveLength(EXPECTED);
      for (const event of events) expect(chatIdOf(event.payload)).toBe(chatOf.get(user.id));
      const count = (name: string) => events.filter((e) => e.name === name).length;
      expect([
        count('chat:created'),
        count('chat:updated'),
        count('chat:title'),
        count('chat:deleted'),
      ]).toEqual([1, 2, 1, 1]);
      expect([count('task:started'), count('task:stopped')]).toEqual([1, 1]);
      const completion = events
        .filter((e) => e.name === 'chat:completion')
        .map((e) => readCompletion(e.payload))
        .sort((a, b) => a.seq - b.seq);
      expect(completion.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(completion.map((c) => c.content).join('')).toBe('part 1 part 2 part 3 part 4 part 5 ');
      expect(completion.at(-1)!.done).toBe(true);
    }
    const created = sockets[0]!.socket.events.find((e) => e.name === 'chat:created')!.payload;
    expect(created).toMatchObject({ v: 1, chat: { id: chatOf.get(users[0]!.id), user_id: users[0]!.id } });
  });

  it('lets a socket join the room of its own chat, and refuses anyone else’s or an unknown one', async () => {
    const [alice, bob] = [users[1]!, users[2]!];
    const aliceSocket = sockets.find((s) => s.user.id === alice.id)!.socket;
    const bobSocket = sockets.find((s) => s.user.id === bob.id)!.socket;
    const join = (s: RecordingSocket, body: unknown) =>
      s.socket.timeout(5_000).emitWithAck('chat:join', body) as Promise<{ ok: boolean; detail?: string }>;

    expect(await join(aliceSocket, { chat_id: chatOf.get(alice.id) })).toEqual({ ok: true });
    expect(await join(bobSocket, { chat_id: chatOf.get(alice.id) })).toEqual({
      ok: false,
      detail: 'No such chat.',
      code: 'CHAT_NOT_FOUND',
    });
    expect(await join(bobSocket, { chat_id: randomUUID() })).toEqual({
      ok: false,
      detail: 'No such chat.',
      code: 'CHAT_NOT_FOUND',
    });
    expect(await join(bobSocket, { nope: 1 })).toEqual({
      ok: false,
      detail: expect.any(String),
      code: 'INVALID_INPUT',
    });

    // Alice's socket is in her user room and the chat room: an event for both arrives once.
    const before = aliceSocket.events.length;
    const marker = randomUUID();
    // The marker rides in a field of the message: realtime passes on what the message declares.
    publishJson(nats, 'chat.updated', {
      v: 1,
      chat: { id: chatOf.get(alice.id), user_id: alice.id, title: marker },
      change: 'chat',
    });
    const titleOf = (payload: unknown) => (payload as eventsV1.ChatUpdatedJson).chat?.title;
    const mine = () => aliceSocket.events.filter((e) => titleOf(e.payload) === marker);
    await waitFor(() => mine().length > 0, 5_000, 'the event in the chat room');
    await sleep(500);
    expect(mine()).toHaveLength(1);
    expect(bobSocket.events.some((e) => titleOf(e.payload) === marker)).toBe(false);
    expect(aliceSocket.events.length).toBeGreaterThan(before);
  });

  it('broadcasts the models in use, and drops a task that never reports its end after the expiry', async () => {
    const watcher = sockets[5]!.socket;
    const usageEvents = () =>
      watcher.events.filter((e) => e.name === 'usage').map((e) => (e.payload as { models: string[] }).models);
    const taskId = `never-stops-${randomUUID()}`;
    publishJson(nats, 'task.started', {
      v: 1,
      task: { id: taskId, user_id: users[3]!.id, model_id: 'forgotten-model' },
    });
    await waitFor(() => usageEvents().some((m) => m.includes('forgotten-model')), 5_000, 'the model in use');
    const ack = (await watcher.socket.timeout(5_000).emitWithAck('usage:get', {})) as {
      ok: boolean;
      models: string[];
    };
    expect(ack).toEqual({ ok: true, models: ['forgotten-model'] });
    // No task.stopped: the entry expires (REALTIME_USAGE_TTL_SECONDS=4) and the sweep says so.
    const seenAt = usageEvents().length;
    await waitFor(
      () =>
        usageEvents()
          .slice(seenAt)
          .some((m) => !m.includes('forgotten-model')),
      12_000,
      'the expired model to leave the pool',
    );
    expect(usageEvents().at(-1)).toEqual([]);
  });

  it('counts active users for admins only, and the count follows users leaving', async () => {
    const admin = sockets.find((s) => s.user.id === users[0]!.id)!.socket;
    const member = sockets.find((s) => s.user.id === users[4]!.id)!.socket;
    const count = async (s: RecordingSocket) =>
      (await s.socket.timeout(5_000).emitWithAck('user-count:get', {})) as {
        ok: boolean;
        count?: number;
        detail?: string;
      };
    expect(await count(admin)).toEqual({ ok: true, count: USERS });
    expect(await count(member)).toEqual({
      ok: false,
      detail: 'Only admins see the user count.',
      code: 'PERMISSION_DENIED',
    });

    const leaving = new Set(users.slice(40).map((u) => u.id));
    const seenBefore = admin.events.length;
    for (const s of sockets.filter((s) => leaving.has(s.user.id))) s.socket.close();
    await waitFor(
      () =>
        admin.events
          .slice(seenBefore)
          .some((e) => e.name === 'user-count' && (e.payload as { count: number }).count === USERS - 10),
      10_000,
      'the user-count event for admins',
    );
    expect(await count(admin)).toEqual({ ok: true, count: USERS - 10 });
    expect(member.events.some((e) => e.name === 'user-count')).toBe(false);
  });

  it('refuses a missing, forged, tampered or garbage token on both copies, with the reason', async () => {
    const real = users[1]!.token;
    const [header, payload, signature] = real.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${signature}`;
    for (const url of stack.realtimeUrls) {
      expect(await socketRefusal(url, '')).toMatch(/Not signed in/);
      expect(await socketRefusal(url, await forgedToken(users[1]!.id))).toMatch(/not valid/);
      expect(await socketRefusal(url, tampered)).toMatch(/not valid/);
      expect(await socketRefusal(url, 'garbage')).toMatch(/not valid|Not signed in/);
      expect(await socketRefusal(url, real)).toBeUndefined();
    }
  });

  it('takes ping timing from config and refuses long-polling unless allowed', async () => {
    const { client, open } = await RawSocketIoClient.connect(stack.realtimeUrls[1]!, users[1]!.token);
    client.destroy();
    expect(JSON.parse(open)).toMatchObject({ pingInterval: 9_000, pingTimeout: 7_000, upgrades: [] });
    for (const url of [stack.realtimeUrls[0]!, stack.gatewayUrls[0]!]) {
      const polling = await fetch(`${url}/ws/socket.io/?EIO=4&transport=polling`);
      expect(polling.status).toBe(400);
    }
  });
});
