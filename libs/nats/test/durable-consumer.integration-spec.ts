import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { createLogger, runWithRequestContext, currentRequestId } from '@parley/logging';
import { eventsV1 } from '@parley/proto';
import { NatsClient } from '../src/nats-client';
import type { DeliveryOutcome, DurableMessage } from '../src/durable-consumer';
import { decodeEvent, event } from '../src/event-subjects';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = createLogger({ service: 'nats-spec', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The work item of these specs: any event message will do; its one string field carries the text. */
const textOf = (message: DurableMessage) =>
  decodeEvent(event('', eventsV1.TaskStopRequestedSchema), JSON.parse(Buffer.from(message.data).toString()))
    .taskId;

/** Resolves when `count` messages satisfying `where` were seen. */
function collector() {
  const seen: Array<DurableMessage & { copy: string; requestId?: string; text: string }> = [];
  const waits: Array<{ where: (m: (typeof seen)[number]) => boolean; count: number; resolve: () => void }> =
    [];
  return {
    seen,
    add(copy: string, message: DurableMessage) {
      seen.push({
        ...message,
        copy,
        requestId: currentRequestId(),
        text: textOf(message),
      });
      for (const wait of [...waits])
        if (seen.filter(wait.where).length >= wait.count) {
          waits.splice(waits.indexOf(wait), 1);
          wait.resolve();
        }
    },
    until(where: (m: (typeof seen)[number]) => boolean, count = 1): Promise<void> {
      if (seen.filter(where).length >= count) return Promise.resolve();
      return new Promise((resolve) => waits.push({ where, count, resolve }));
    },
  };
}

/** Two copies sharing one durable consumer over real NATS JetStream. */
describe('NatsClient.consumeDurable', () => {
  const suffix = randomBytes(4).toString('hex');
  const stream = `PARLEY_SPEC_${suffix}`;
  const work = event(`spec-${suffix}.work`, eventsV1.TaskStopRequestedSchema);
  const clients: NatsClient[] = [];

  function copy(name: string, handle: (message: DurableMessage) => Promise<DeliveryOutcome>) {
    const client = new NatsClient({ url: NATS_URL, name: `spec-${name}`, logger });
    clients.push(client);
    const consumer = client.consumeDurable(
      {
        stream: {
          name: stream,
          subjects: [`spec-${suffix}.>`],
          retention: 'interest',
          storage: 'memory',
          maxAgeMs: 60_000,
          maxBytes: 8 * 1024 * 1024,
        },
        consumer: { durable: `spec-${suffix}`, ackWaitMs: 700, maxAckPending: 100, deliver: 'all' },
        retryDelayMs: 100,
      },
      handle,
    );
    return { client, consumer };
  }

  async function consuming(...consumers: Array<{ isConsuming(): boolean }>) {
    while (!consumers.every((c) => c.isConsuming())) await new Promise((r) => setImmediate(r));
  }

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.drain()));
    const nc = await connect({ servers: NATS_URL });
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('gives each message to one copy, with the publisher request id, and a dropped copy’s work to the other', async () => {
    const got = collector();
    let parkA = false;
    const parked: Array<() => void> = [];
    const a = copy('a', async (message) => {
      got.add('a', message);
      if (parkA) await new Promise<void>((resolve) => parked.push(resolve)); // never acks in time
      return 'ack';
    });
    const b = copy('b', async (message) => {
      got.add('b', message);
      return 'ack';
    });
    await consuming(a.consumer, b.consumer);

    const publisher = new NatsClient({ url: NATS_URL, name: 'spec-publisher', logger });
    clients.push(publisher);
    await publisher.whenConnected(5_000);
    runWithRequestContext({ requestId: 'req-durable-1' }, () => {
      for (let n = 0; n < 20; n++) publisher.publish(work, { taskId: `m${n}` });
    });
    await got.until((m) => m.text.startsWith('m'), 20);
    const texts = got.seen.map((m) => m.text).sort();
    expect(new Set(texts).size).toBe(20);
    expect(got.seen.every((m) => m.requestId === 'req-durable-1')).toBe(true);

    // Copy A takes a message and never acknowledges it (it hangs, then stops): another copy gets it.
    parkA = true;
    await b.consumer.stop();
    publisher.publish(work, { taskId: 'held' });
    await got.until((m) => m.text === 'held' && m.copy === 'a');
    const b2 = copy('b2', async (message) => {
      got.add('b2', message);
      return 'ack';
    });
    await a.consumer.stop();
    await got.until((m) => m.text === 'held' && m.copy === 'b2');
    expect(got.seen.find((m) => m.text === 'held' && m.copy === 'b2')?.redelivered).toBe(true);
    parked.forEach((resolve) => resolve());
    await b2.consumer.stop();
  });

  it('delivers again a message its handler asked to retry, and never one it dropped', async () => {
    const got = collector();
    const c = copy('c', async (message) => {
      got.add('c', message);
      const text = textOf(message);
      if (text === 'retry me' && !message.redelivered) return 'retry';
      if (text === 'drop me') return 'drop';
      return 'ack';
    });
    await consuming(c.consumer);
    const publisher = new NatsClient({ url: NATS_URL, name: 'spec-publisher-2', logger });
    clients.push(publisher);
    await publisher.whenConnected(5_000);
    publisher.publish(work, { taskId: 'drop me' });
    publisher.publish(work, { taskId: 'retry me' });
    await got.until((m) => m.text === 'retry me', 2);
    publisher.publish(work, { taskId: 'after' });
    await got.until((m) => m.text === 'after');
    expect(got.seen.filter((m) => m.text === 'drop me')).toHaveLength(1);
    expect(got.seen.filter((m) => m.text === 'retry me').map((m) => m.redelivered)).toEqual([false, true]);
    await c.consumer.stop();
  });
});
