import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import OpenAI from 'openai';
import { io, Socket } from 'socket.io-client';
import { ServiceProcess, startStack, Stack, testInfrastructure } from '@parley/testing';
import { signUp, SignedUp } from './support/http';
import {
  connectNats,
  publishDeltas,
  ResumingClient,
  sampleAnswer,
  splitIntoDeltas,
} from './support/realtime-clients';
import { waitFor } from './support/sockets';
import { startStackWithUpstream } from './support/stacks';

const GRACE_MS = 20_000;
const DELTAS = 90;
const TICK_MS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A socket as the web app opens it (socket.io-client reconnecting by itself), noting how it ended. */
function webAppSocket(
  url: string,
  token: string,
): Promise<{ socket: Socket; ended: Promise<{ reason: string; willReconnect: boolean }> }> {
  const socket = io(url, {
    path: '/ws/socket.io',
    transports: ['websocket'],
    auth: { token },
    forceNew: true,
  });
  const ended = new Promise<{ reason: string; willReconnect: boolean }>((resolve) =>
    socket.once('disconnect', (reason) => resolve({ reason, willReconnect: socket.active })),
  );
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, ended }));
    socket.once('connect_error', reject);
  });
}

/**
 * SIGTERM on a copy that holds WebSockets (the gateway proxying them, realtime serving them): the copy
 * closes them with a reconnect hint, its clients reconnect to another copy and resume the answer that
 * was streaming with exactly the missing part, and the process exits 0 well within the grace.
 * gateway i proxies to realtime i % 2: gateway 0 and 2 to realtime 0, gateway 1 to realtime 1.
 */
describe('drains that finish with sockets open', () => {
  let stack: Stack;
  let nats: NatsConnection;
  let users: SignedUp[];
  const opened: Array<{ close(): void }> = [];

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, realtime: 2, gateway: 3 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        REALTIME_CLUSTER: `e2e-drain-sockets-${process.pid}`,
        SHUTDOWN_GRACE_MS: String(GRACE_MS),
      },
    });
    nats = await connectNats((await testInfrastructure()).natsUrl);
    users = [];
    for (let u = 0; u < 3; u++) {
      users.push(
        await signUp(stack.gatewayUrls[1]!, `Drain ${u}`, `drain-socket-${u}-${randomUUID()}@example.com`),
      );
    }
  }, 120_000);

  afterAll(async () => {
    opened.forEach((o) => o.close());
    await nats?.drain();
    await stack?.stop();
  });

  /** Streams one answer per user on NATS and SIGTERMs `victim` a third of the way through. */
  async function streamAndTerminate(
    victim: ServiceProcess,
    watchers: Array<{ user: SignedUp; client: ResumingClient }>,
  ) {
    const answers = new Map(
      users.map((user) => {
        const text = sampleAnswer(user.id);
        return [`msg-${randomUUID()}`, { user, text, deltas: splitIntoDeltas(text, DELTAS) }] as const;
      }),
    );
    let terminatedAt = 0;
    let readiness: Promise<number | 'refused'> | undefined;
    for (let tick = 0; tick < DELTAS; tick++) {
      publishDeltas(nats, answers, tick);
      if (tick === Math.floor(DELTAS / 3)) {
        victim.child.kill('SIGTERM');
        terminatedAt = Date.now();
      }
      // Once the drain has begun, the copy is not ready: its listener refuses, or it answers 503.
      if (terminatedAt && !readiness && victim.logs().includes('"msg":"draining"')) {
        readiness = fetch(`${victim.httpUrl}/health/ready`).then(
          (response) => response.status,
          () => 'refused' as const,
        );
      }
      await sleep(TICK_MS);
    }
    await nats.flush();
    const code = await victim.exited;
    const exitMs = Date.now() - terminatedAt;
    expect(readiness).toBeDefined();
    expect([503, 'refused']).toContain(await readiness);
    await waitFor(
      () =>
        watchers.every(({ user, client }) =>
          [...answers].every(([id, a]) => a.user.id !== user.id || client.assembler.isDone(id)),
        ),
      20_000,
      'every client to hold its whole answer',
    );
    for (const { user, client } of watchers) {
      for (const [id, answer] of answers) {
        if (answer.user.id === user.id) expect(client.assembler.contentOf(id)).toBe(answer.text);
      }
      expect(client.reconnects).toBe(1);
      expect(client.resumeFailures).toBe(0);
      // Away for the reconnect delay while deltas kept coming: the resume filled in what it missed.
      expect(client.resumedDeltas).toBeGreaterThan(0);
    }
    return { code, exitMs };
  }

  async function resumingClient(urls: string[], user: SignedUp) {
    const client = new ResumingClient(urls, user.token, { reconnectDelayMs: 300 });
    await client.connect();
    opened.push(client);
    return { user, client };
  }

  it('a gateway proxying sockets closes them, its clients resume through another gateway, and it exits 0 within the grace', async () => {
    const [gw0, gw1] = stack.gatewayUrls as [string, string];
    const watchers = await Promise.all(users.map((user) => resumingClient([gw0, gw1], user)));
    const web = await webAppSocket(gw0, users[0]!.token);
    opened.push(web.socket);
    const gateway = stack.services.gateway![0]!;

    const { code, exitMs } = await streamAndTerminate(gateway, watchers);
    console.log(
      `gateway drain with ${watchers.length + 1} sockets open: exit ${code} after ${exitMs} ms (grace ${GRACE_MS} ms)`,
    );
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_MS / 2);
    expect(gateway.logs()).toContain('closed upgraded sockets so clients reconnect');
    expect(gateway.logs()).not.toContain('grace period ended');
    for (const { client } of watchers) expect(client.connectedTo).toBe(gw1);
    // The web app's socket.io-client takes it as a dropped transport and reconnects by itself.
    const ended = await web.ended;
    expect(['transport close', 'transport error']).toContain(ended.reason);
    expect(ended.willReconnect).toBe(true);
    web.socket.close();
  });

  it('a realtime copy closes its sockets (direct and proxied), they resume on the other copy, and it exits 0 within the grace', async () => {
    const [rt0, rt1] = stack.realtimeUrls as [string, string];
    const [, gw1, gw2] = stack.gatewayUrls as [string, string, string];
    const direct = await Promise.all(users.map((user) => resumingClient([rt0, rt1], user)));
    const proxied = await Promise.all(users.map((user) => resumingClient([gw2, gw1], user)));
    const web = await webAppSocket(rt0, users[0]!.token);
    opened.push(web.socket);
    const realtime = stack.services.realtime![0]!;

    const { code, exitMs } = await streamAndTerminate(realtime, [...direct, ...proxied]);
    console.log(
      `realtime drain with ${direct.length + proxied.length + 1} sockets open: exit ${code} after ${exitMs} ms (grace ${GRACE_MS} ms)`,
    );
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_MS / 2);
    expect(realtime.logs()).not.toContain('grace period ended');
    for (const { client } of direct) expect(client.connectedTo).toBe(rt1);
    for (const { client } of proxied) expect(client.connectedTo).toBe(gw1);
    const ended = await web.ended;
    expect(['transport close', 'transport error']).toContain(ended.reason);
    expect(ended.willReconnect).toBe(true);
    web.socket.close();
  });
});

describe('a draining gateway finishes the answers it is streaming', () => {
  it('streams an SSE answer in flight to its end after SIGTERM and exits 0 within the grace', async () => {
    const { stack, upstream } = await startStackWithUpstream({
      env: { SHUTDOWN_GRACE_MS: String(GRACE_MS) },
    });
    try {
      const gatewayUrl = stack.gatewayUrls[0]!;
      const user = await signUp(gatewayUrl, 'Streamer', `drain-sse-${randomUUID()}@example.com`);
      const tokens = Array.from({ length: 100 }, (_, i) => ` t${i}`);
      upstream.set({ tokens, tokenDelayMs: 20 });
      const client = new OpenAI({
        baseURL: `${gatewayUrl}/api`,
        apiKey: user.token,
        maxRetries: 0,
        timeout: 20_000,
      });
      const stream = await client.chat.completions.create({
        model: 'gpt-fake',
        messages: [{ role: 'user', content: 'go on' }],
        stream: true,
      });
      const gateway = stack.services.gateway![0]!;
      let text = '';
      let terminatedAt = 0;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (!terminatedAt && text.length >= tokens.slice(0, 10).join('').length) {
          gateway.child.kill('SIGTERM');
          terminatedAt = Date.now();
        }
      }
      const code = await gateway.exited;
      const exitMs = Date.now() - terminatedAt;
      console.log(
        `gateway drain with an SSE answer streaming: exit ${code} after ${exitMs} ms (grace ${GRACE_MS} ms)`,
      );
      expect(terminatedAt).toBeGreaterThan(0);
      expect(text).toBe(tokens.join(''));
      expect(code).toBe(0);
      expect(exitMs).toBeLessThan(GRACE_MS / 2);
    } finally {
      await stack.stop();
      await upstream.close();
    }
  }, 120_000);
});
