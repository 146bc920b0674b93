import type { Logger } from '@parley/logging';
import { event, type EventSpec } from './event-subjects';
import type { NatsClient } from './nats-client';
import { eventsV1 } from '@parley/proto';
import { CachedTable } from './cached-table';

const logger = { warn: () => undefined } as unknown as Logger;
const changes = event('x.changed', eventsV1.TableChangedSchema);

function fakeNats() {
  const handlers: Array<() => void> = [];
  const published: string[] = [];
  const nats = {
    subscribe: async (_subject: string, _options: unknown, handler: () => void) =>
      void handlers.push(handler),
    publish: (spec: EventSpec) => void published.push(spec.subject),
  } as unknown as NatsClient;
  return { nats, published, deliver: () => handlers.forEach((h) => h()) };
}

describe('CachedTable', () => {
  it('loads once for concurrent readers and serves from memory until it is too old', async () => {
    let loads = 0;
    const { nats } = fakeNats();
    const table = new CachedTable(async () => ++loads, 60_000, nats, changes, logger);
    expect(await Promise.all([table.get(), table.get(), table.get()])).toEqual([1, 1, 1]);
    expect(await table.get()).toBe(1);
    const stale = new CachedTable(async () => ++loads, 0, nats, changes, logger);
    await stale.get();
    await stale.get();
    expect(loads).toBe(3);
  });

  it('reloads after a local write, which it announces, and after another copy announces one', async () => {
    let value = 'a';
    const { nats, published, deliver } = fakeNats();
    const table = new CachedTable(async () => value, 60_000, nats, changes, logger);
    table.listen();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await table.get()).toBe('a');
    value = 'b';
    table.changed();
    expect(published).toEqual(['x.changed']);
    expect(await table.get()).toBe('b');
    value = 'c';
    deliver();
    expect(await table.get()).toBe('c');
  });

  it('does not keep what it read while a change arrived', async () => {
    let value = 'old';
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { nats } = fakeNats();
    const table = new CachedTable(
      async () => {
        const read = value;
        await gate;
        return read;
      },
      60_000,
      nats,
      changes,
      logger,
    );
    const first = table.get();
    value = 'new';
    table.drop();
    release();
    expect(await first).toBe('old');
    expect(await table.get()).toBe('new');
  });
});
