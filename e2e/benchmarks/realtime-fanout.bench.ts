import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { io, Socket } from 'socket.io-client';
import type { eventsV1 } from '@parley/proto';
import { startStack, Stack, testInfrastructure } from '@parley/testing';
import { signUp, SignedUp } from '../src/support/http';
import { connectNats, publishJson } from '../src/support/realtime-clients';

/**
 * Realtime benchmark: clients across two realtime copies (127.0.0.1 only), then `chat.updated` events
 * published on NATS at fixed rates, each to one user's sockets. Prints the connect rate, delivery
 * latency p50/p99 per rate (publish → socket.io-client callback, one clock), and memory per connection.
 *
 * Small by default (CI). The full run from the issue:
 *   BENCH_REALTIME_CLIENTS=5000 BENCH_REALTIME_RATES=1000,10000 npx nx run e2e:bench-realtime
 * BENCH_REALTIME_USERS (default clients/10), BENCH_REALTIME_SECONDS (default 3) change the shape.
 */
const CLIENTS = Number(process.env.BENCH_REALTIME_CLIENTS ?? 200);
const USERS = Number(process.env.BENCH_REALTIME_USERS ?? Math.max(2, Math.ceil(CLIENTS / 10)));
const RATES = (process.env.BENCH_REALTIME_RATES ?? '100,500').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_REALTIME_SECONDS ?? 3);
const CONNECT_CONCURRENCY = 100;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function openFileLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3] ?? 1024);
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return Number(line?.split(' ').at(-1) ?? NaN);
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN;
}

describe('realtime benchmark', () => {
  let stack: Stack;
  const sockets: Socket[] = [];

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await stack?.stop();
  });

  it(`connects ${CLIENTS} clients over two copies and delivers events at ${RATES.join(' and ')}/s`, async () => {
    // This process holds every client socket; each realtime copy about half. Stay well below the limit.
    const limit = openFileLimit();
    console.log(`open-file limit (ulimit -n) of the benchmark process: ${limit}`);
    if (CLIENTS + 500 > limit)
      throw new Error(`raise ulimit -n above ${CLIENTS + 500} for ${CLIENTS} clients`);

    stack = await startStack({
      copies: { auth: 1, realtime: 2, gateway: 1 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        REALTIME_CLUSTER: `bench-${process.pid}`,
        LOG_LEVEL: 'warn',
      },
    });
    const users: SignedUp[] = [];
    for (let start = 0; start < USERS; start += 8) {
      const batch = [];
      for (let u = start; u < Math.min(USERS, start + 8); u++) {
        batch.push(signUp(stack.gatewayUrls[0]!, `Bench ${u}`, `bench-${u}-${randomUUID()}@example.com`));
      }
      users.push(...(await Promise.all(batch)));
    }
    const rss = async () =>
      Promise.all(stack.realtimeUrls.map((url) => metric(url, 'process_resident_memory_bytes')));
    const rssBefore = await rss();

    // Connect: client i belongs to user i % USERS and goes to copy i % 2.
    const latencies: number[] = [];
    let received = 0;
    const connectStarted = now();
    for (let start = 0; start < CLIENTS; start += CONNECT_CONCURRENCY) {
      const batch: Promise<void>[] = [];
      for (let i = start; i < Math.min(CLIENTS, start + CONNECT_CONCURRENCY); i++) {
        const socket = io(stack.realtimeUrls[i % 2]!, {
          path: '/ws/socket.io',
          transports: ['websocket'],
          auth: { token: users[i % USERS]!.token },
          reconnection: false,
          forceNew: true,
          timeout: 20_000,
        });
        // The send time rides in updated_at (seconds, a double): realtime passes on only what the
        // message (parley.events.v1.ChatUpdated) declares.
        socket.on('chat:updated', (payload: eventsV1.ChatUpdatedJson) => {
          received++;
          const sentAt = payload.chat?.updated_at;
          if (typeof sentAt === 'number') latencies.push(now() - sentAt * 1000);
        });
        sockets.push(socket);
        batch.push(
          new Promise((resolve, reject) => {
            socket.once('connect', () => resolve());
            socket.once('connect_error', reject);
          }),
        );
      }
      await Promise.all(batch);
    }
    const connectSeconds = (now() - connectStarted) / 1000;
    await sleep(2_000);
    const rssAfter = await rss();
    const perConnection = rssAfter.map((after, i) => (after - rssBefore[i]!) / (CLIENTS / 2));

    const nats = await connectNats((await testInfrastructure()).natsUrl);
    const results: string[] = [];
    const shortfalls: number[] = [];
    for (const rate of RATES) {
      latencies.length = 0;
      received = 0;
      const perTick = rate / 100; // 10 ms ticks
      let published = 0;
      const started = now();
      for (let tick = 0; tick < SECONDS * 100; tick++) {
        const due = Math.round(perTick * (tick + 1)) - Math.round(perTick * tick);
        for (let k = 0; k < due; k++) {
          const user = users[published % USERS]!;
          publishJson(nats, 'chat.updated', {
            v: 1,
            chat: { id: `bench-${published}`, user_id: user.id, updated_at: now() / 1000 },
          });
          published++;
        }
        const next = started + (tick + 1) * 10;
        await sleep(Math.max(0, next - now()));
      }
      await nats.flush();
      const elapsed = (now() - started) / 1000;
      const socketsPerUser = CLIENTS / USERS;
      const expected = published * socketsPerUser;
      const deadline = Date.now() + 15_000;
      while (received < expected && Date.now() < deadline) await sleep(50);
      const sorted = [...latencies].sort((x, y) => x - y);
      results.push(
        `${rate} events/s asked, ${(published / elapsed).toFixed(0)} published/s, ` +
          `${(received / elapsed).toFixed(0)} socket deliveries/s (${socketsPerUser} sockets per user): ` +
          `delivered ${received}/${expected}, p50 ${percentile(sorted, 0.5).toFixed(1)} ms, ` +
          `p99 ${percentile(sorted, 0.99).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`,
      );
      console.log(results.at(-1));
      shortfalls.push(expected - received);
      await sleep(1_000);
    }
    await nats.drain();

    console.log(
      [
        `realtime benchmark: ${CLIENTS} clients of ${USERS} users on 2 copies (127.0.0.1)`,
        `connect: ${CLIENTS} in ${connectSeconds.toFixed(2)} s = ${(CLIENTS / connectSeconds).toFixed(0)} connections/s`,
        ...results,
        `memory per connection (RSS growth / sockets per copy): ${perConnection
          .map((b) => `${(b / 1024).toFixed(1)} KiB`)
          .join(', ')}`,
      ].join('\n'),
    );
    expect(sockets.every((s) => s.connected)).toBe(true);
    // Every published event reached every socket of its user, at every rate.
    expect(shortfalls).toEqual(RATES.map(() => 0));
  });
});
