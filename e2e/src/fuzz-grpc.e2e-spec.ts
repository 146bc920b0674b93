import fc from 'fast-check';
import { status } from '@grpc/grpc-js';
import { Stack, startStack } from '@parley/testing';
import { clip, expectCleanRun, Finding, fuzzSeed } from './support/fuzz/findings';
import { apiKeyOf, signUp } from './support/http';
import {
  bearerMetadata,
  callerMetadata,
  callRaw,
  discoverGrpcServices,
  encodeWithStrings,
  invalidUtf8Message,
  isPublicApi,
  rawClient,
  servingService,
  statusName,
} from './support/fuzz/grpc-fuzz';
import { hostileString } from './support/fuzz/hostile';

const RUNS_PER_METHOD = Number(process.env.FUZZ_RUNS ?? 16);
const DEADLINE_MS = 5_000;
/** The statuses that mean the service did not understand its own failure. */
const FORBIDDEN = new Set<number>([status.INTERNAL, status.UNKNOWN, status.UNAVAILABLE, status.DATA_LOSS]);

/**
 * Every method of every service in the generated contracts, called on the real gRPC port with hostile
 * messages and raw bytes (invalid protobuf, invalid UTF-8): never INTERNAL or UNKNOWN, and every copy of
 * every service is alive and ready afterwards.
 */
describe('gRPC fuzz: every method of every contract, hostile messages', () => {
  let stack: Stack;
  const seed = fuzzSeed('fuzz-grpc');
  const findings: Finding[] = [];
  const services = discoverGrpcServices();
  let calls = 0;
  /** The public API's credential: an API key of the first user (an admin, who reaches the most code). */
  let apiKey: string;

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 2, 'model-gateway': 1, files: 1, retrieval: 1, gateway: 1 },
    });
    const gateway = stack.gatewayUrls[0]!;
    apiKey = await apiKeyOf(gateway, await signUp(gateway, 'Fuzz', `fuzz-${Date.now()}@example.com`));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('finds every service of the contracts', () => {
    expect(services.map((s) => s.typeName)).toEqual(
      expect.arrayContaining([
        'parley.auth.v1.AuthService',
        'parley.chat.v1.ChatService',
        'parley.api.v1.ChatService',
        'parley.api.v1.CompletionService',
        'parley.api.v1.KnowledgeService',
        'parley.api.v1.AdminService',
      ]),
    );
    expect(services.flatMap((s) => s.methods).length).toBeGreaterThan(20);
  });

  it('answers hostile messages and bytes on every method with a clear status, never INTERNAL', async () => {
    const inputs = fc.oneof(
      { weight: 3, arbitrary: hostileString.map((text) => ({ what: `strings ${clip(text, 80)}`, text })) },
      {
        weight: 1,
        arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({
          what: `bytes ${Buffer.from(b).toString('hex').slice(0, 80)}`,
          bytes: Buffer.from(b),
        })),
      },
    );
    const unimplemented: string[] = [];
    let index = 0;
    for (const service of services) {
      const publicApi = isPublicApi(service);
      const targets = (publicApi ? stack.grpcApiTargets : stack.grpcTargets[servingService(service)]) ?? [];
      expect({ service: service.typeName, targets: targets.length > 0 }).toEqual({
        service: service.typeName,
        targets: true,
      });
      const clients = targets.map((t) => rawClient(t));
      const signed = publicApi
        ? bearerMetadata(apiKey)
        : await callerMetadata(stack.callerSecret, servingService(service));
      const anonymous = publicApi ? bearerMetadata() : await callerMetadata();
      try {
        for (const method of service.methods) {
          const cases: Array<{ what: string; bytes: Buffer }> = [
            { what: 'NUL in every string', bytes: encodeWithStrings(method, 'a\u0000b') },
            { what: 'U+FFFD in every string', bytes: encodeWithStrings(method, '\ufffd') },
            {
              what: '2 MB string in every string',
              bytes: encodeWithStrings(method, 'a'.repeat(2 * 1024 * 1024)),
            },
            { what: 'invalid UTF-8 in fields 1-3', bytes: invalidUtf8Message() },
            { what: 'truncated varint', bytes: Buffer.from([0x08, 0xff, 0xff]) },
            { what: 'empty message', bytes: Buffer.alloc(0) },
          ];
          for (const sample of fc.sample(inputs, { seed: seed + index++, numRuns: RUNS_PER_METHOD })) {
            cases.push(
              'bytes' in sample
                ? sample
                : { what: sample.what, bytes: encodeWithStrings(method, sample.text) },
            );
          }
          let implemented = false;
          for (const c of cases) {
            const client = clients[calls++ % clients.length]!;
            const outcome = await callRaw(client, service, method, c.bytes, DEADLINE_MS, signed);
            if (outcome.code !== status.UNIMPLEMENTED) implemented = true;
            const streamTimedOut = method.methodKind !== 'unary' && outcome.code === status.DEADLINE_EXCEEDED;
            if (FORBIDDEN.has(outcome.code) || (outcome.code === status.DEADLINE_EXCEEDED && !streamTimedOut))
              findings.push({
                route: `${service.typeName}/${method.name}`,
                input: c.what,
                outcome: `${statusName(outcome.code)}: ${clip(outcome.details, 200)}`,
              });
          }
          if (!implemented) unimplemented.push(`${service.typeName}/${method.name}`);
          // Without a caller assertion (or, on the public API, credentials) every method is refused before it
          // reads anything.
          const bare = await callRaw(clients[0]!, service, method, Buffer.alloc(0), DEADLINE_MS, anonymous);
          if (bare.code !== status.UNAUTHENTICATED)
            findings.push({
              route: `${service.typeName}/${method.name}`,
              input: 'no caller assertion',
              outcome: `${statusName(bare.code)} instead of UNAUTHENTICATED`,
            });
        }
      } finally {
        clients.forEach((c) => c.close());
      }
    }
    // A method nobody serves is a contract drift; it would also mean the fuzzer reached nothing.
    expect(unimplemented).toEqual([]);
    process.stdout.write(`fuzz-grpc: ${services.length} services, ${index} methods, ${calls} calls\n`);
  });

  it('leaves every copy of every service alive and ready, and reports nothing', async () => {
    await expectCleanRun('fuzz-grpc', seed, findings, stack);
  });
});
