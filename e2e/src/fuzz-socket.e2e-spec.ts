import fc from 'fast-check';
import { io, Socket } from 'socket.io-client';
import { Stack, startStack } from '@parley/testing';
import { signUpsFrom, SignedUp } from './support/http';
import { clip, expectCleanRun, Finding, fuzzSeed } from './support/fuzz/findings';
import { hostileString, wrongTypeValue } from './support/fuzz/hostile';
import { discoverSocketEvents } from './support/fuzz/socket-events';

const RUNS_PER_EVENT = Number(process.env.FUZZ_RUNS ?? 40);

function open(baseUrl: string, token: string): Promise<Socket> {
  const socket = io(baseUrl, {
    path: '/ws/socket.io',
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/**
 * Every event the realtime service handles (found in its source), emitted through both gateway copies
 * by an admin and a user with hostile payloads: each gets an ack with `ok` (and a string `detail` when
 * refused), the socket stays connected, and every copy of every service is alive and ready afterwards.
 */
describe('Socket.IO fuzz: every realtime event, hostile payloads', () => {
  let stack: Stack;
  let people: SignedUp[];
  const seed = fuzzSeed('fuzz-socket');
  const findings: Finding[] = [];
  const events = discoverSocketEvents();
  const signUp = signUpsFrom('2001:db8:11:e::');

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 1, realtime: 2, gateway: 2 },
      env: { DEFAULT_USER_ROLE: 'user' },
    });
    people = [await signUp(stack.gatewayUrls[0]!, 'Admin'), await signUp(stack.gatewayUrls[0]!, 'Bob')];
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('finds the realtime events in the source', () => {
    expect(events).toEqual(expect.arrayContaining(['chat:join', 'chat:completion:resume', 'usage:get']));
  });

  it('answers every hostile payload with an ack and keeps the socket', async () => {
    const field = fc.constantFrom('chat_id', 'message_id', 'after_seq', 'streams', 'id', '__proto__');
    const payload: fc.Arbitrary<unknown> = fc.oneof(
      wrongTypeValue,
      fc.dictionary(field, fc.oneof(hostileString, wrongTypeValue), { minKeys: 1, maxKeys: 4 }),
      fc.record({
        streams: fc.array(
          fc.record({ message_id: hostileString, after_seq: fc.oneof(fc.integer(), wrongTypeValue) }),
          {
            maxLength: 3,
          },
        ),
      }),
      fc.constantFrom(
        { chat_id: 'x'.repeat(200_000) },
        { streams: Array.from({ length: 5_000 }, (_, i) => ({ message_id: `m${i}`, after_seq: 0 })) },
        JSON.parse('{"chat_id":'.repeat(500) + '"x"' + '}'.repeat(500)) as unknown,
      ),
    );
    let index = 0;
    for (const [p, person] of people.entries()) {
      for (const [g, gateway] of stack.gatewayUrls.entries()) {
        let socket = await open(gateway, person.token);
        try {
          for (const event of events) {
            for (const sample of fc.sample(payload, { seed: seed + index++, numRuns: RUNS_PER_EVENT / 2 })) {
              const input = `${person.role} via gateway ${g} ${p}: ${clip(JSON.stringify(sample) ?? 'undefined', 200)}`;
              let ack: unknown;
              try {
                ack = await socket.timeout(5_000).emitWithAck(event, sample);
              } catch (error) {
                findings.push({ route: event, input, outcome: `no ack: ${(error as Error).message}` });
              }
              const a = ack as { ok?: unknown; detail?: unknown } | undefined;
              if (ack !== undefined && !(a?.ok === true || (a?.ok === false && typeof a.detail === 'string')))
                findings.push({
                  route: event,
                  input,
                  outcome: `ack without ok/detail: ${clip(JSON.stringify(ack), 200)}`,
                });
              if (!socket.connected) {
                findings.push({ route: event, input, outcome: 'socket disconnected' });
                socket = await open(gateway, person.token);
              }
            }
          }
        } finally {
          socket.close();
        }
      }
    }
  });

  it('leaves every copy of every service alive and ready, and reports nothing', async () => {
    await expectCleanRun('fuzz-socket', seed, findings, stack);
  });
});
