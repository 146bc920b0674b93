import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { JSONCodec, type NatsConnection, type Subscription } from 'nats';
import { startStack, testInfrastructure, type Stack } from '@parley/testing';
import { request, signUp, type SignedUp } from './support/http';
import { connectNats } from './support/realtime-clients';
import { scanKeys } from './support/redis-keys';
import { connectSocket, waitFor, type RecordingSocket } from './support/sockets';

const codec = JSONCodec<{ chat?: { id?: string } }>();

/** Every subject a subscription sees, with the chat id its payload names (if any). */
function record(subscription: Subscription): Array<{ subject: string; chatId?: string }> {
  const seen: Array<{ subject: string; chatId?: string }> = [];
  void (async () => {
    for await (const message of subscription) {
      let chatId: string | undefined;
      try {
        chatId = codec.decode(message.data).chat?.id;
      } catch {
        // not JSON: only the subject matters
      }
      seen.push({ subject: message.subject, chatId });
    }
  })();
  return seen;
}

/**
 * Two installations on one Redis and one NATS, told apart by REDIS_KEY_PREFIX only (Open WebUI's
 * variable; it names the installation on NATS too): both keep the default REALTIME_CLUSTER, so without
 * the prefix they would share session pools, socket channels, queue groups and streams. Each sees its
 * own sessions, rate limits, sockets and events, and nothing of the other's.
 */
describe('two installations sharing one Redis and one NATS', () => {
  const prefixes = { a: `owa${randomBytes(3).toString('hex')}`, b: `owb${randomBytes(3).toString('hex')}` };
  const stacks: Partial<Record<'a' | 'b', Stack>> = {};
  let redis: Redis;
  let nats: NatsConnection;
  const sockets: RecordingSocket[] = [];

  let socketsRedis: Redis;

  const start = (prefix: string, env: Record<string, string> = {}) =>
    startStack({
      copies: { auth: 1, chat: 1, realtime: 1, gateway: 1 },
      env: {
        ...env,
        REDIS_KEY_PREFIX: prefix,
        // The defaults an installation runs with: the prefix alone must keep the two apart.
        REALTIME_CLUSTER: 'realtime',
        MODEL_GATEWAY_CLUSTER: 'model-gateway',
        SIGNIN_RATE_LIMIT_PER_ACCOUNT: '3',
        DEFAULT_USER_ROLE: 'user',
      },
    });

  beforeAll(async () => {
    const infra = await testInfrastructure();
    redis = new Redis(infra.redisUrl);
    nats = await connectNats(infra.natsUrl);
    // B's sockets keep their state in a Redis of their own (WEBSOCKET_REDIS_URL; here another database).
    const ownRedis = new URL(infra.redisUrl);
    ownRedis.pathname = '/9';
    socketsRedis = new Redis(ownRedis.toString());
    [stacks.a, stacks.b] = await Promise.all([
      start(prefixes.a),
      start(prefixes.b, { WEBSOCKET_REDIS_URL: ownRedis.toString() }),
    ]);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all([stacks.a?.stop(), stacks.b?.stop()]);
    redis?.disconnect();
    socketsRedis?.disconnect();
    await nats?.close();
  });

  it('keeps sessions, rate limits, sockets and events apart', async () => {
    const a = stacks.a!.gatewayUrls[0]!;
    const b = stacks.b!.gatewayUrls[0]!;
    const onA = record(nats.subscribe(`${prefixes.a}.>`));
    const onB = record(nats.subscribe(`${prefixes.b}.>`));
    const plain = record(nats.subscribe('chat.>'));

    // Sessions: A has its admin online, B its admin and a user; each admin counts only its own.
    const adminA = await signUp(a, 'Admin A', `admin-a-${randomUUID()}@example.com`);
    const adminB = await signUp(b, 'Admin B', `admin-b-${randomUUID()}@example.com`);
    const userB = await signUp(b, 'User B', `user-b-${randomUUID()}@example.com`);
    const socketA = await connectSocket(a, adminA.token);
    const socketB = await connectSocket(b, adminB.token);
    const socketUserB = await connectSocket(b, userB.token);
    sockets.push(socketA, socketB, socketUserB);
    const userCount = async (socket: RecordingSocket) =>
      ((await socket.socket.timeout(5_000).emitWithAck('user-count:get', {})) as { count: number }).count;
    expect(await userCount(socketA)).toBe(1);
    expect(await userCount(socketB)).toBe(2);
    // Their pools live under their own names in Redis, B's in the sockets' own Redis.
    expect(await scanKeys(redis, `${prefixes.a}:parley:rt:realtime:*`)).not.toEqual([]);
    expect(await scanKeys(socketsRedis, `${prefixes.b}:parley:rt:realtime:*`)).not.toEqual([]);
    expect(await scanKeys(redis, `${prefixes.b}:parley:rt:realtime:*`)).toEqual([]);

    // Events: a chat made on A reaches A's socket over A's subjects, and nothing of B's.
    const chatOf = async (gateway: string, who: SignedUp) => {
      const created = await request<{ id: string }>(gateway, 'POST', '/api/v1/chats/new', {
        token: who.token,
        body: { chat: { title: 'Mine', messages: [] } },
      });
      expect(created.status).toBe(200);
      return created.body.id;
    };
    const chatA = await chatOf(a, adminA);
    const chatB = await chatOf(b, adminB);
    const created = (socket: RecordingSocket, id: string) =>
      socket.events.some((e) => e.name === 'chat:created' && JSON.stringify(e.payload).includes(id));
    await waitFor(() => created(socketA, chatA) && created(socketB, chatB), 10_000, 'chat:created events');
    await waitFor(() => onA.some((m) => m.chatId === chatA) && onB.some((m) => m.chatId === chatB));
    expect(onA.every((m) => m.subject.startsWith(`${prefixes.a}.`))).toBe(true);
    expect(onB.some((m) => m.chatId === chatA)).toBe(false);
    expect(onA.some((m) => m.chatId === chatB)).toBe(false);
    expect(created(socketA, chatB) || created(socketB, chatA)).toBe(false);
    expect(plain.some((m) => m.chatId === chatA || m.chatId === chatB)).toBe(false);
    expect(onA.map((m) => m.subject)).toContain(`${prefixes.a}.chat.created`);

    // Revocations travel on each installation's own channel of the main Redis: a sign-out on B cuts that
    // socket (B's realtime hears it although its sockets live in another Redis).
    let cut = false;
    socketUserB.socket.on('disconnect', () => (cut = true));
    expect((await request(b, 'GET', '/api/v1/auths/signout', { token: userB.token })).status).toBe(200);
    await waitFor(() => cut, 10_000, "B's signed-out socket to be cut");
    expect(socketB.socket.connected && socketA.socket.connected).toBe(true);
    const numsub = (await redis.pubsub('NUMSUB', `${prefixes.a}:parley:auth:revocations`)) as [
      string,
      number,
    ];
    expect(numsub[1]).toBeGreaterThanOrEqual(2); // A's gateway and A's realtime

    // Rate limits: one account hammered on A is limited there, not on B.
    const email = `shared-${randomUUID()}@example.com`;
    const wrongSignIn = (gateway: string) =>
      request(gateway, 'POST', '/api/v1/auths/signin', { body: { email, password: 'wrong password' } });
    for (let i = 0; i < 3; i++) expect((await wrongSignIn(a)).status).toBe(401);
    expect((await wrongSignIn(a)).status).toBe(429);
    expect((await wrongSignIn(b)).status).toBe(401);
    expect(await scanKeys(redis, `${prefixes.a}:parley:ratelimit:signin:account:*`)).not.toEqual([]);
  });
});
