import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { freePort, startStack, Stack, testInfrastructure, tcpAnswers } from '@parley/testing';
import type { eventsV1 } from '@parley/proto';
import { signUp, SignedUp } from './support/http';
import { connectNats, publishJson, RawSocketIoClient } from './support/realtime-clients';
import { connectSocket, RecordingSocket, waitFor } from './support/sockets';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A private Redis for this suite only: the machine's shared Redis on 6379 serves other tests and is
 * never stopped. `--save "" --appendonly no`: a restart comes back empty, as a lost Redis would.
 */
async function startPrivateRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  while (!(await tcpAnswers('127.0.0.1', port, 200))) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error('private redis-server did not start');
    await sleep(100);
  }
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function readiness(
  url: string,
): Promise<{ status: number; body: { checks?: Record<string, string> } }> {
  const res = await fetch(`${url}/health/ready`);
  return {
    status: res.status,
    body: (await res.json().catch(() => ({}))) as { checks?: Record<string, string> },
  };
}

describe('realtime resilience: stalled clients and a Redis restart', () => {
  let stack: Stack;
  let nats: NatsConnection;
  let redisPort: number;
  let redis: ChildProcess;
  let stalledUser: SignedUp;
  let otherUser: SignedUp;
  const sockets: RecordingSocket[] = [];

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startPrivateRedis(redisPort);
    stack = await startStack({
      copies: { auth: 1, realtime: 2, gateway: 1 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        REALTIME_CLUSTER: `e2e-resilience-${process.pid}`,
        REALTIME_SESSION_TTL_SECONDS: '3',
        WEBSOCKET_MAX_BUFFERED_BYTES: '1000000',
      },
    });
    nats = await connectNats((await testInfrastructure()).natsUrl);
    stalledUser = await signUp(stack.gatewayUrls[0]!, 'Stalled', `stalled-${randomUUID()}@example.com`);
    otherUser = await signUp(stack.gatewayUrls[0]!, 'Other', `other-${randomUUID()}@example.com`);
  }, 120_000);

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await nats?.drain();
    await stack?.stop();
    if (redis) await stopProcess(redis);
  });

  it('cuts off a client that stops reading, while its user’s other tabs and other users keep up', async () => {
    const [a, b] = stack.realtimeUrls as [string, string];
    const { client: stalled } = await RawSocketIoClient.connect(a, stalledUser.token);
    const sameUserTab = await connectSocket(b, stalledUser.token);
    const otherTab = await connectSocket(a, otherUser.token);
    sockets.push(sameUserTab, otherTab);
    stalled.stall();

    // 40 MB for the stalled user (more than loopback's kernel buffers hold), and small timed events for
    // another user on the same copy at the same time.
    const padding = 'x'.repeat(64_000);
    const FLOOD = 640;
    const latencies: number[] = [];
    // Timed events carry their send time in updated_at (seconds, with the fraction: a double); the
    // flood's bulk rides in the title. Realtime passes on only what the message declares.
    otherTab.socket.on('chat:updated', (payload: eventsV1.ChatUpdatedJson) => {
      const sentAt = payload.chat?.updated_at;
      if (typeof sentAt === 'number') latencies.push(Date.now() - sentAt * 1000);
    });
    // The same timed events without the flood first: the baseline of this machine right now.
    for (let i = 0; i < FLOOD / 16; i++) {
      publishJson(nats, 'chat.updated', {
        v: 1,
        chat: { id: `baseline-${i}`, user_id: otherUser.id, updated_at: Date.now() / 1000 },
      });
      await nats.flush();
      await sleep(10);
    }
    await waitFor(() => latencies.length === FLOOD / 16, 10_000, 'every baseline event');
    const baseline = latencies.splice(0).sort((x, y) => x - y);
    const baselineP99 = baseline[Math.floor(baseline.length * 0.99)]!;
    for (let i = 0; i < FLOOD; i++) {
      publishJson(nats, 'chat.updated', {
        v: 1,
        chat: { id: `flood-${i}`, user_id: stalledUser.id, title: padding },
      });
      if (i % 16 === 0) {
        publishJson(nats, 'chat.updated', {
          v: 1,
          chat: { id: `ping-${i}`, user_id: otherUser.id, updated_at: Date.now() / 1000 },
        });
        await nats.flush();
        await sleep(10);
      }
    }
    await nats.flush();

    const copyA = stack.services.realtime![0]!;
    await waitFor(() => copyA.logs().includes('client too slow'), 20_000, 'the slow client to be cut off');
    expect(copyA.logs()).toContain(stalledUser.id);
    // The other tab of the same user got every event, in full.
    await waitFor(
      () => sameUserTab.events.filter((e) => e.name === 'chat:updated').length === FLOOD,
      20_000,
      'every flood event on the healthy tab',
    );
    // The other user on the stalled copy kept receiving promptly.
    await waitFor(() => latencies.length === FLOOD / 16, 10_000, 'every timed event');
    latencies.sort((x, y) => x - y);
    // Blocked behind the stalled socket, the timed events would wait for its cut-off; compared with the
    // baseline (a ratio holds on a busy machine, an absolute time does not), they did not.
    expect(latencies[Math.floor(latencies.length * 0.99)]!).toBeLessThan(Math.max(2_000, baselineP99 * 5));
    // The stalled socket's connection is gone: once it reads again it sees the end.
    stalled.drain();
    await waitFor(() => stalled.closed, 10_000, 'the stalled connection to be closed');
    const metrics = await (await fetch(`${a}/metrics`)).text();
    expect(metrics).toMatch(/parley_realtime_slow_client_disconnects_total\{[^}]*\} [1-9]/);
  });

  it('reports not ready while Redis is down and recovers without a restart when it is back', async () => {
    const [a, b] = stack.realtimeUrls as [string, string];
    const onA = await connectSocket(a, otherUser.token);
    const onB = await connectSocket(b, otherUser.token);
    sockets.push(onA, onB);
    for (const url of [a, b]) expect((await readiness(url)).status).toBe(200);

    await stopProcess(redis);
    for (const url of [a, b]) {
      const deadline = Date.now() + 10_000;
      let report = await readiness(url);
      while (report.status !== 503 && Date.now() < deadline) {
        await sleep(200);
        report = await readiness(url);
      }
      expect(report.status).toBe(503);
      expect(report.body.checks).toMatchObject({ redis: 'down' });
    }
    await sleep(1_500);

    redis = await startPrivateRedis(redisPort);
    for (const url of [a, b]) {
      const deadline = Date.now() + 20_000;
      let report = await readiness(url);
      while (report.status !== 200 && Date.now() < deadline) {
        await sleep(200);
        report = await readiness(url);
      }
      expect(report.status).toBe(200);
    }
    // Same processes: recovered, not restarted.
    for (const proc of stack.services.realtime!) expect(proc.child.exitCode).toBeNull();

    // Events cross copies again (the adapter resubscribed), to sockets that lived through the outage and
    // to new ones.
    const fresh = await connectSocket(b, otherUser.token);
    sockets.push(fresh);
    const marker = randomUUID();
    const seen = (s: RecordingSocket) =>
      s.events.filter((e) => (e.payload as { chat?: { id?: string } }).chat?.id === marker).length;
    const deliver = async () => {
      publishJson(nats, 'chat.updated', { v: 1, chat: { id: marker, user_id: otherUser.id } });
      await nats.flush();
    };
    await deliver();
    await waitFor(() => [onA, onB, fresh].every((s) => seen(s) >= 1), 10_000, 'the event on every socket');
    expect([seen(onA), seen(onB), seen(fresh)]).toEqual([1, 1, 1]);
  });
});
