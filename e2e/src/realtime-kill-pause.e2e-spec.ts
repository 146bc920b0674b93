import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { startStack, Stack, testInfrastructure } from '@parley/testing';
import { signUp, SignedUp } from './support/http';
import {
  CompletionAssembler,
  connectNats,
  publishDeltas,
  readCompletion,
  ResumingClient,
  sampleAnswer,
  splitIntoDeltas,
  StreamedAnswer,
} from './support/realtime-clients';
import { connectSocket, RecordingSocket, waitFor } from './support/sockets';

const USERS = 6;
const DELTAS = 100;
const TICK_MS = 20;
/** The JetStream ack wait the old shared consumer used: the freeze the issue saw. */
const OLD_ACK_WAIT_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A socket on the surviving copy: what it assembled, the seqs in arrival order, when its text grew. */
class Watcher {
  readonly assembler = new CompletionAssembler();
  readonly arrivals = new Map<string, number[]>();
  readonly growth = new Map<string, number[]>();

  constructor(
    readonly user: SignedUp,
    readonly socket: RecordingSocket,
  ) {
    socket.socket.on('chat:completion', (payload: unknown) => {
      const event = readCompletion(payload);
      const before = this.assembler.messages.get(event.messageId)?.next ?? 1;
      this.assembler.apply(payload);
      const seqs = this.arrivals.get(event.messageId) ?? [];
      seqs.push(event.seq);
      this.arrivals.set(event.messageId, seqs);
      if (this.assembler.messages.get(event.messageId)!.next > before) {
        const times = this.growth.get(event.messageId) ?? [];
        times.push(Date.now());
        this.growth.set(event.messageId, times);
      }
    });
  }

  /** The longest time the text of one answer on this screen stood still while it streamed. */
  longestPause(messageId: string): number {
    const times = this.growth.get(messageId) ?? [];
    let longest = 0;
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
    return longest;
  }
}

/**
 * SIGKILL one of two realtime copies mid-stream: the sockets on the surviving copy must not notice.
 * Each user has a socket on copy B (watched) and a resuming client that starts on copy A. A baseline
 * wave streams without a kill; a second wave kills A a third of the way in. Sockets on B get every
 * delta once and in order in both waves, and the longest pause in their text after the kill stays far
 * below the old ack wait; the clients from A resume on B with exactly the missing part.
 */
describe('realtime: no pause for others when a copy dies', () => {
  let stack: Stack;
  let nats: NatsConnection;
  let users: SignedUp[];
  const closers: Array<{ close(): void }> = [];

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, realtime: 2, gateway: 1 },
      env: { DEFAULT_USER_ROLE: 'user', REALTIME_CLUSTER: `e2e-kill-pause-${process.pid}` },
    });
    nats = await connectNats((await testInfrastructure()).natsUrl);
    users = [];
    for (let u = 0; u < USERS; u++) {
      users.push(await signUp(stack.gatewayUrls[0]!, `Pause ${u}`, `pause-${u}-${randomUUID()}@example.com`));
    }
  }, 120_000);

  afterAll(async () => {
    closers.forEach((c) => c.close());
    await nats?.drain();
    await stack?.stop();
  });

  async function wave(watchers: Watcher[], kill?: () => void) {
    const answers = new Map<string, StreamedAnswer>();
    for (const user of users) {
      const text = sampleAnswer(user.id, 400);
      answers.set(`msg-${randomUUID()}`, { user, text, deltas: splitIntoDeltas(text, DELTAS) });
    }
    for (let tick = 0; tick < DELTAS; tick++) {
      publishDeltas(nats, answers, tick);
      if (kill && tick === Math.floor(DELTAS / 3)) kill();
      await sleep(TICK_MS);
    }
    await nats.flush();
    const mine = (w: Watcher) => [...answers].filter(([, a]) => a.user.id === w.user.id);
    await waitFor(
      () => watchers.every((w) => mine(w).every(([id]) => w.assembler.isDone(id))),
      20_000,
      'every socket on the surviving copy to hold its whole answer',
    );
    let longest = 0;
    const inOrder = Array.from({ length: DELTAS }, (_, i) => i + 1).join(',');
    const wrong: string[] = [];
    for (const w of watchers) {
      for (const [id, answer] of mine(w)) {
        if (w.assembler.contentOf(id) !== answer.text) wrong.push(`${id}: text differs`);
        // Every delta once, in the order published: nothing waited for a redelivery.
        const arrived = w.arrivals.get(id)?.join(',');
        if (arrived !== inOrder) wrong.push(`${id}: seqs arrived as ${arrived}`);
        longest = Math.max(longest, w.longestPause(id));
      }
    }
    return { answers, longest, wrong };
  }

  it('keeps the surviving copy streaming in order without a pause, and resumes the dead copy’s clients', async () => {
    const [a, b] = stack.realtimeUrls as [string, string];
    const watchers: Watcher[] = [];
    const movers: Array<{ user: SignedUp; client: ResumingClient }> = [];
    for (const user of users) {
      const socket = await connectSocket(b, user.token);
      closers.push(socket);
      watchers.push(new Watcher(user, socket));
      const client = new ResumingClient([a, b], user.token, { reconnectDelayMs: 300 });
      await client.connect();
      closers.push(client);
      movers.push({ user, client });
    }

    const baseline = await wave(watchers);
    const copyA = stack.services.realtime![0]!;
    const killed = await wave(watchers, () => copyA.child.kill('SIGKILL'));
    expect(await copyA.exited).toBe('SIGKILL');
    console.log(
      `longest pause of a socket on the surviving copy: baseline wave ${baseline.longest} ms, ` +
        `wave with a copy SIGKILLed ${killed.longest} ms (ratio ${(killed.longest / Math.max(1, baseline.longest)).toFixed(1)}; ` +
        `old ack wait ${OLD_ACK_WAIT_MS} ms; ${DELTAS} deltas every ${TICK_MS} ms to ${USERS} users)`,
    );
    expect(baseline.wrong).toEqual([]);
    expect(killed.wrong).toEqual([]);
    // Bounded with a wide margin for a loaded machine, far below the ack wait the freeze matched.
    expect(killed.longest).toBeLessThan(OLD_ACK_WAIT_MS / 3);

    // The clients that were on the dead copy resumed on B: the whole answer, nothing doubled in the text.
    await waitFor(
      () =>
        movers.every(({ user, client }) =>
          [...killed.answers].every(([id, x]) => x.user.id !== user.id || client.assembler.isDone(id)),
        ),
      20_000,
      'the moved clients to finish their answers',
    );
    for (const { user, client } of movers) {
      for (const [id, answer] of killed.answers) {
        if (answer.user.id === user.id) expect(client.assembler.contentOf(id)).toBe(answer.text);
      }
      expect(client.connectedTo).toBe(b);
      expect(client.resumeFailures).toBe(0);
    }
  });
});
