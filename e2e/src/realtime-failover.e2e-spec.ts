import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { NatsConnection } from 'nats';
import { startStack, Stack, testInfrastructure } from '@parley/testing';
import { signUp, SignedUp } from './support/http';
import {
  connectNats,
  publishDeltas,
  ResumingClient,
  sampleAnswer,
  splitIntoDeltas,
} from './support/realtime-clients';
import { connectSocket, RecordingSocket, waitFor } from './support/sockets';

const USERS = 8;
const MESSAGES_PER_USER = 2;
const DELTAS = 120;
const TICK_MS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGKILL one of two realtime copies while answers stream. Its clients reconnect to the other copy and
 * resume; every answer each client assembled must equal what was published, character for character.
 * The dead copy's sessions leave the session pool after the expiry.
 */
describe('realtime failover: a copy killed while answers stream', () => {
  let stack: Stack;
  let nats: NatsConnection;
  let redis: Redis;
  let users: SignedUp[];
  const cluster = `e2e-failover-${process.pid}`;
  const clients: Array<{ user: SignedUp; client: ResumingClient; startedOn: 'A' | 'B' }> = [];
  const extra: RecordingSocket[] = [];

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, realtime: 2, gateway: 1 },
      env: { DEFAULT_USER_ROLE: 'user', REALTIME_CLUSTER: cluster, REALTIME_SESSION_TTL_SECONDS: '3' },
    });
    const infra = await testInfrastructure();
    nats = await connectNats(infra.natsUrl);
    redis = new Redis(infra.redisUrl);
    users = [];
    for (let u = 0; u < USERS + 1; u++) {
      users.push(
        await signUp(stack.gatewayUrls[0]!, `Failover ${u}`, `failover-${u}-${randomUUID()}@example.com`),
      );
    }
  }, 120_000);

  afterAll(async () => {
    clients.forEach((c) => c.client.close());
    extra.forEach((s) => s.close());
    await nats?.drain();
    redis?.disconnect();
    await stack?.stop();
  });

  it('resumes every answer on the surviving copy with nothing missing or doubled', async () => {
    const [a, b] = stack.realtimeUrls as [string, string];
    const admin = users[0]!; // first account: admin, watches the active-user count
    const streamers = users.slice(1);
    for (const user of streamers) {
      for (const [startedOn, urls] of [
        ['A', [a, b]],
        ['B', [b, a]],
      ] as const) {
        const client = new ResumingClient([...urls], user.token, { reconnectDelayMs: 500 });
        await client.connect();
        clients.push({ user, client, startedOn });
      }
    }
    // A user whose only socket is on copy A and does not reconnect: their session must not outlive A.
    const ghost = await connectSocket(a, admin.token);
    extra.push(ghost);
    const sessionsKey = `parley:rt:${cluster}:sessions:${admin.id}`;
    for (let i = 0; i < 50 && (await redis.zcard(sessionsKey)) === 0; i++) await sleep(100);
    expect(await redis.zcard(sessionsKey)).toBe(1);

    // Answers as model-gateway streams them: `completion.<message_id>`, seq from 1, done on the last.
    const answers = new Map<string, { user: SignedUp; text: string; deltas: string[] }>();
    for (const user of streamers) {
      for (let m = 0; m < MESSAGES_PER_USER; m++) {
        const text = sampleAnswer(`${user.id}/${m}`);
        answers.set(`msg-${randomUUID()}`, { user, text, deltas: splitIntoDeltas(text, DELTAS) });
      }
    }
    const copyA = stack.services.realtime![0]!;
    let killedAt = -1;
    for (let tick = 0; tick < DELTAS; tick++) {
      publishDeltas(nats, answers, tick);
      if (tick === Math.floor(DELTAS / 3)) {
        copyA.child.kill('SIGKILL');
        killedAt = tick;
      }
      await sleep(TICK_MS);
    }
    await nats.flush();
    expect(await copyA.exited).toBe('SIGKILL');
    expect(killedAt).toBeGreaterThan(0);

    const allDone = () =>
      clients.every(({ user, client }) =>
        [...answers].every(([id, answer]) => answer.user.id !== user.id || client.assembler.isDone(id)),
      );
    await waitFor(allDone, 30_000, 'every client to hold every finished answer');

    for (const { user, client, startedOn } of clients) {
      for (const [messageId, answer] of answers) {
        if (answer.user.id !== user.id) {
          expect(client.assembler.contentOf(messageId)).toBeUndefined();
          continue;
        }
        expect(client.assembler.contentOf(messageId)).toBe(answer.text);
      }
      if (startedOn === 'A') {
        expect(client.reconnects).toBeGreaterThanOrEqual(1);
        expect(client.connectedTo).toBe(b);
      }
      expect(client.resumeFailures).toBe(0);
    }
    // The A-side clients were away for a while (reconnect delay): the resume filled in what they missed.
    for (const { client } of clients.filter((c) => c.startedOn === 'A')) {
      expect(client.resumedDeltas).toBeGreaterThan(0);
    }

    // The ghost's session (on the dead copy) leaves the pool after REALTIME_SESSION_TTL_SECONDS.
    const deadline = Date.now() + 10_000;
    const usersKey = `parley:rt:${cluster}:users`;
    // Gone at the expiry: the key by its TTL, the user's entry at the next sweep (every heartbeat).
    while (
      ((await redis.exists(sessionsKey)) || (await redis.zscore(usersKey, admin.id)) !== null) &&
      Date.now() < deadline
    ) {
      await sleep(250);
    }
    expect(await redis.exists(sessionsKey)).toBe(0);
    expect(await redis.zscore(usersKey, admin.id)).toBeNull();
    // Users who moved to B stay in the pool, with only their live sockets.
    for (const user of streamers) {
      expect(
        await redis.zrangebyscore(`parley:rt:${cluster}:sessions:${user.id}`, Date.now(), '+inf'),
      ).toHaveLength(2);
    }
    const count = await redis.zcount(`parley:rt:${cluster}:users`, Date.now(), '+inf');
    expect(count).toBe(streamers.length);
  });
});
