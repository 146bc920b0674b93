import { DomainError, ErrorKind } from '@parley/errors';
import type { modelGatewayV1 } from '@parley/proto';
import type { ServiceClient } from './grpc-client';
import type { CallContext, ServerStream } from './grpc-server-host';
import { loopbackModelGateway } from './spec-support';

type Methods = typeof modelGatewayV1.ModelGatewayService extends { method: infer M } ? M : never;
type Stream = ServerStream<
  (typeof modelGatewayV1.ModelGatewayService)['method']['streamChatCompletion']['output']
>;

const SECRET = 'a test secret for the stream tests, 32+ chars';

/** What a streaming handler saw, as the test observes it (no timers: each step is a promise). */
function handlerProbe() {
  let settle!: (how: string) => void;
  let started!: () => void;
  return {
    settled: new Promise<string>((resolve) => (settle = resolve)),
    started: new Promise<void>((resolve) => (started = resolve)),
    settle: (how: string) => settle(how),
    start: () => started(),
  };
}

/** Streams over a real loopback server: cancellation, back-pressure and deadlines settle both ends. */
describe('GrpcServerHost server streams', () => {
  let close: () => Promise<void>;
  let client: ServiceClient<Methods>;
  let handler: (stream: Stream, call: CallContext) => Promise<void> = async () => undefined;

  beforeAll(async () => {
    ({ client, close } = await loopbackModelGateway(
      new Proxy(
        {},
        {
          get: (_target, name) =>
            name === 'streamChatCompletion'
              ? (_request: unknown, stream: Stream, call: CallContext) => handler(stream, call)
              : async () => ({}),
        },
      ),
      { secret: SECRET },
    ));
  });

  afterAll(() => close());

  it('aborts the handler and settles both ends when the caller cancels mid-stream', async () => {
    const probe = handlerProbe();
    handler = async (stream, call) => {
      try {
        for (let n = 0; !call.signal.aborted; n++)
          await stream.write({ event: { case: 'chunkJson', value: `{"n":${n}}` } });
        probe.settle('aborted');
      } catch (error) {
        probe.settle(`threw ${(error as Error).message}`);
      }
    };
    const controller = new AbortController();
    const received: unknown[] = [];
    let failure: unknown;
    try {
      for await (const message of client.streamChatCompletion(
        { bodyJson: '{}' },
        { signal: controller.signal },
      )) {
        received.push(message);
        if (received.length === 3) controller.abort();
      }
    } catch (error) {
      failure = error;
    }
    expect(received.length).toBeGreaterThanOrEqual(3);
    expect(failure).toBeDefined();
    expect(await probe.settled).toBe('aborted');
  });

  it('wakes a handler parked on back-pressure when its reader leaves, so it never parks forever', async () => {
    const probe = handlerProbe();
    const big = 'x'.repeat(256 * 1024);
    let parkedWrites = 0;
    handler = async (stream, call) => {
      // Writes far more than the transport buffers: the write promise waits for drain.
      for (let n = 0; n < 2_000 && !call.signal.aborted; n++) {
        const write = stream.write({ event: { case: 'chunkJson', value: big } });
        let resolved = false;
        void write.then(() => (resolved = true));
        await Promise.resolve();
        if (!resolved) {
          parkedWrites++;
          probe.start();
        }
        await write;
      }
      probe.settle(call.signal.aborted ? 'woke after the reader left' : 'wrote everything');
    };
    const controller = new AbortController();
    const stream = client.streamChatCompletion({ bodyJson: '{}' }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next(); // one message, then the reader stops reading
    await probe.started; // the handler is parked on a full buffer
    controller.abort();
    await iterator.next().catch(() => undefined);
    expect(await probe.settled).toBe('woke after the reader left');
    expect(parkedWrites).toBeGreaterThan(0);
  });

  it('ends a server stream at its deadline, on the client and in the handler', async () => {
    const probe = handlerProbe();
    handler = (_stream, call) =>
      new Promise<void>((resolve) => {
        probe.start();
        call.signal.addEventListener('abort', () => {
          probe.settle('aborted at the deadline');
          resolve();
        });
      });
    let failure: DomainError | undefined;
    try {
      for await (const message of client.streamChatCompletion({ bodyJson: '{}' }, { deadlineMs: 300 }))
        void message;
    } catch (error) {
      failure = error as DomainError;
    }
    expect(failure?.kind).toBe(ErrorKind.DeadlineExceeded);
    expect(await probe.settled).toBe('aborted at the deadline');
  });
});
