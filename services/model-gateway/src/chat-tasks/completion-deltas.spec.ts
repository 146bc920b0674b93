import type { Logger } from '@parley/logging';
import { encodeEvent, EVENTS, type EventSpec, type NatsClient } from '@parley/nats';
import type { eventsV1 } from '@parley/proto';
import { closingDeltas, CompletionDelta, CompletionDeltaStream } from './completion-deltas';

type DeltaJson = eventsV1.CompletionDeltaJson;
/** What goes on the wire: the JSON form, written by the same code NatsClient uses. */
const wire = (delta: CompletionDelta) => encodeEvent(EVENTS.completionDelta.at('m1'), delta) as DeltaJson;

const logger = { warn: () => undefined } as unknown as Logger;
const target = { userId: 'u1', chatId: 'c1', messageId: 'm1' };

function harness(coalesceMs: number, recordDelayMs = 0) {
  const events: Array<{ kind: 'record' | 'publish'; seq: number; delta?: DeltaJson }> = [];
  const subjects: string[] = [];
  const nats = {
    publish: (spec: EventSpec, payload: CompletionDelta) => {
      subjects.push(spec.subject);
      events.push({ kind: 'publish', seq: payload.seq ?? 0, delta: wire(payload) });
    },
  } as unknown as NatsClient;
  const record = async (seq: number) => {
    if (recordDelayMs) await new Promise((resolve) => setTimeout(resolve, recordDelayMs));
    events.push({ kind: 'record', seq });
  };
  const stream = new CompletionDeltaStream(target, nats, record, coalesceMs, logger);
  const published = () => events.filter((e) => e.kind === 'publish').map((e) => e.delta!);
  return { stream, events, published, subjects };
}

describe('CompletionDeltaStream', () => {
  it('numbers deltas from 1 without gaps and ends with done, text in order', async () => {
    const { stream, published, subjects } = harness(0);
    for (const token of ['Hel', 'lo', ', ', 'world']) {
      stream.push(token);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await stream.end();
    const deltas = published();
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i + 1));
    expect(deltas.map((d) => d.delta).join('')).toBe('Hello, world');
    expect(deltas.at(-1)).toMatchObject({ done: true, user_id: 'u1', chat_id: 'c1', message_id: 'm1' });
    expect(deltas.slice(0, -1).every((d) => !d.done)).toBe(true);
    expect(new Set(subjects)).toEqual(new Set(['completion.m1']));
  });

  it('puts the sources on the first delta only, in their JSON form (undefined fields left out)', async () => {
    const { stream, published } = harness(0);
    const sources = [
      { source: { type: 'file', id: 'f1', name: 'a.pdf' }, metadata: [{ page: 2, heading: undefined }] },
    ];
    stream.cite(sources);
    stream.push('One');
    await new Promise((resolve) => setImmediate(resolve));
    stream.push(' two');
    await stream.end();
    const deltas = published();
    expect(deltas[0]!.sources).toEqual([
      { source: { type: 'file', id: 'f1', name: 'a.pdf' }, metadata: [{ page: 2 }] },
    ]);
    expect(deltas.slice(1).every((d) => d.sources === undefined)).toBe(true);
  });

  it('records each seq before publishing it', async () => {
    const { stream, events } = harness(0, 2);
    stream.push('a');
    stream.push('b');
    await new Promise((resolve) => setTimeout(resolve, 10));
    stream.push('c');
    await stream.end('boom');
    for (const publish of events.filter((e) => e.kind === 'publish')) {
      const recordedAt = events.findIndex((e) => e.kind === 'record' && e.seq === publish.seq);
      expect(recordedAt).toBeGreaterThanOrEqual(0);
      expect(recordedAt).toBeLessThan(events.indexOf(publish));
    }
  });

  it('sends the first token at once and gathers the tokens that come during a publish', async () => {
    const { stream, published } = harness(20, 5);
    stream.push('first');
    for (let i = 0; i < 10; i++) stream.push(`-${i}`);
    // Wait for the second publish itself (a fixed sleep raced the coalescing timer on a loaded machine).
    while (published().length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const before = published();
    expect(before[0]).toMatchObject({ seq: 1, delta: 'first' });
    expect(before.length).toBe(2); // the ten tokens pushed during the first publish travel together
    expect(before[1]).toMatchObject({ seq: 2, delta: '-0-1-2-3-4-5-6-7-8-9' });
    await stream.end();
    expect(
      published()
        .map((d) => d.delta)
        .join(''),
    ).toBe('first-0-1-2-3-4-5-6-7-8-9');
  });

  it('carries the error on the last delta and publishes nothing after end', async () => {
    const { stream, published } = harness(0);
    stream.push('partial');
    await stream.end('The model server failed.');
    stream.push('late');
    await stream.end();
    const deltas = published();
    expect(deltas.at(-1)).toMatchObject({ done: true, error: 'The model server failed.' });
    expect(deltas.map((d) => d.delta).join('')).toBe('partial');
  });

  it('still publishes when the seq cannot be recorded', async () => {
    const nats = { publish: jest.fn() } as unknown as NatsClient;
    const stream = new CompletionDeltaStream(
      target,
      nats,
      () => Promise.reject(new Error('redis down')),
      0,
      logger,
    );
    stream.push('x');
    await stream.end();
    expect((nats.publish as jest.Mock).mock.calls.map((c) => (c[1] as CompletionDelta).seq)).toEqual([1, 2]);
  });
});

describe('closingDeltas', () => {
  it('fills the recorded seq with nothing and ends after it', () => {
    expect(closingDeltas(target, 7, 'stopped').map(wire)).toEqual([
      { v: 1, user_id: 'u1', chat_id: 'c1', message_id: 'm1', seq: 7, delta: '', done: false },
      {
        v: 1,
        user_id: 'u1',
        chat_id: 'c1',
        message_id: 'm1',
        seq: 8,
        delta: '',
        done: true,
        error: 'stopped',
      },
    ]);
    expect(closingDeltas(target, 0).map(wire)).toEqual([
      { v: 1, user_id: 'u1', chat_id: 'c1', message_id: 'm1', seq: 1, delta: '', done: true },
    ]);
  });
});
