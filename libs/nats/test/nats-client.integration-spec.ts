import { createServer, type Server } from 'node:net';
import { createLogger } from '@parley/logging';
import { eventsV1 } from '@parley/proto';
import { event } from '../src/event-subjects';
import { NatsClient } from '../src/nats-client';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = createLogger({ service: 'nats-spec', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A port that accepts TCP and closes at once: a cluster seed that is down. */
async function deadSeed(): Promise<{ url: string; server: Server }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `nats://127.0.0.1:${port}`, server };
}

describe('NatsClient with a comma-separated NATS_URL (a cluster’s seed servers)', () => {
  it('connects through the seed that answers and carries messages', async () => {
    const dead = await deadSeed();
    const client = new NatsClient({ url: `${dead.url}, ${NATS_URL}`, name: 'spec-seed-list', logger });
    try {
      expect(await client.whenConnected(15_000)).toBe(true);
      const spec = event('spec.seed-list', eventsV1.TaskStopRequestedSchema);
      let resolve!: (taskId: string) => void;
      const got = new Promise<string>((r) => (resolve = r));
      // One connection keeps order: the server has the subscription before it sees the publish.
      await client.subscribe(spec, {}, (message) => resolve(message.taskId));
      client.publish(spec, { taskId: 'n1' });
      expect(await got).toBe('n1');
    } finally {
      await client.drain();
      dead.server.close();
    }
  });
});
