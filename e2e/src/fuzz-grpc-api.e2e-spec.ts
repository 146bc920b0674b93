import { randomUUID } from 'node:crypto';
import {
  create,
  ScalarType,
  toBinary,
  type DescEnum,
  type DescField,
  type DescMessage,
} from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { Stack, startStack } from '@parley/testing';
import { clip, expectCleanRun, fuzzSeed, type Finding } from './support/fuzz/findings';
import {
  bearerMetadata,
  callRaw,
  discoverGrpcServices,
  type CallOutcome,
  isPublicApi,
  rawClient,
  statusName,
} from './support/fuzz/grpc-fuzz';
import { hostileString } from './support/fuzz/hostile';
import { statusDetailsOf } from './support/grpc-api-client';
import { apiKeyOf, signUpsFrom, uploadFile } from './support/http';

const RUNS_PER_METHOD = Number(process.env.FUZZ_RUNS ?? 24);
const DEADLINE_MS = 5_000;
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/**
 * What a public method may answer hostile input with: it worked, the input is wrong, the thing is not
 * there (or is someone else's), or the caller may not do it. Anything else (INTERNAL, UNKNOWN, a
 * service that looks away, a deadline on a unary call) is a finding.
 */
const ALLOWED = new Set<number>([
  status.OK,
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.PERMISSION_DENIED,
]);

/** Refusals of a whole upload rather than of one field: an empty file, a stream out of order. */
const WHOLE_MESSAGE_REASONS = new Set(['FILE_EMPTY', 'UPLOAD_INCOMPLETE', 'UPLOAD_OUT_OF_ORDER']);

/** A private-use character whose 3 UTF-8 bytes are swapped for a lone surrogate's (ED A0 80) on the wire. */
const SURROGATE_MARK = '\ue000';
const MARK_BYTES = Buffer.from(SURROGATE_MARK);
const LONE_SURROGATE_BYTES = Buffer.from([0xed, 0xa0, 0x80]);

/**
 * The bytes of a message whose every marked character became a lone surrogate written as (invalid)
 * UTF-8, the way a careless client library encodes one: same length, so every length prefix holds.
 */
function withLoneSurrogates(bytes: Uint8Array): Buffer {
  const out = Buffer.from(bytes);
  for (let at = out.indexOf(MARK_BYTES); at >= 0; at = out.indexOf(MARK_BYTES, at + 3))
    LONE_SURROGATE_BYTES.copy(out, at);
  return out;
}

/** The values the fuzzer puts in fields: real-looking ids of the caller and of someone else, too. */
interface Pools {
  ownIds: string[];
  theirIds: string[];
  pageTokens: string[];
}

function stringArbitrary(pools: Pools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.constant(`lone ${SURROGATE_MARK} surrogate`) },
    { weight: 1, arbitrary: fc.constantFrom(...pools.ownIds, ...pools.theirIds) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom(...pools.pageTokens) },
    { weight: 1, arbitrary: fc.base64String({ maxLength: 60 }) },
    { weight: 1, arbitrary: fc.constantFrom('a'.repeat(100_000), 'files/x', 'chats/../1', 'ROLE_USER') },
  );
}

function scalarArbitrary(field: DescField & { scalar: ScalarType }, pools: Pools): fc.Arbitrary<unknown> {
  switch (field.scalar) {
    case ScalarType.STRING:
      return stringArbitrary(pools);
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 64 });
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 1e308));
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return fc.oneof(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.constantFrom(0n, -1n, 2n ** 62n),
      );
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.oneof(fc.constantFrom(0, 1, 2 ** 32 - 1), fc.nat());
    default:
      return fc.oneof(fc.constantFrom(0, -1, 1, 2 ** 31 - 1, -(2 ** 31)), fc.integer());
  }
}

const enumArbitrary = (values: DescEnum) =>
  fc.oneof(fc.constantFrom(...values.values.map((v) => v.number)), fc.integer({ min: -3, max: 99 }));

/** An element of a list, or a value of a map, by its type. */
function elementArbitrary(
  field: DescField & { fieldKind: 'list' | 'map' },
  pools: Pools,
  depth: number,
): fc.Arbitrary<unknown> {
  const kind = field.fieldKind === 'list' ? field.listKind : field.mapKind;
  if (kind === 'scalar') return scalarArbitrary(field as never, pools);
  if (kind === 'enum') return enumArbitrary((field as { enum: DescEnum }).enum);
  return messageArbitrary((field as { message: DescMessage }).message, pools, depth + 1);
}

/** One value of a field, by its type. */
function valueArbitrary(field: DescField, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  if (field.fieldKind === 'scalar') return scalarArbitrary(field, pools);
  if (field.fieldKind === 'enum') return enumArbitrary(field.enum);
  if (field.fieldKind === 'message') return messageArbitrary(field.message, pools, depth + 1);
  const element = elementArbitrary(field, pools, depth);
  if (field.fieldKind === 'map') return fc.dictionary(hostileString, element, { maxKeys: 3 }); // hostile keys too
  // Now and then a list far over any limit.
  return fc.oneof(
    { weight: 5, arbitrary: fc.array(element, { maxLength: 4 }) },
    { weight: 1, arbitrary: element.chain((e) => fc.constant(Array.from({ length: 500 }, () => e))) },
  );
}

/** A message with each field missing, or set to a hostile value of its type (oneofs: one case or none). */
function messageArbitrary(
  schema: DescMessage,
  pools: Pools,
  depth = 0,
): fc.Arbitrary<Record<string, unknown>> {
  if (depth > 3) return fc.constant({});
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of schema.fields) {
    if (field.oneof) continue;
    parts[field.localName] = valueArbitrary(field, pools, depth);
  }
  for (const oneof of schema.oneofs) {
    parts[oneof.localName] = fc.oneof(
      fc.constant(undefined),
      ...oneof.fields.map((f) =>
        valueArbitrary(f, pools, depth).map((value) => ({ case: f.localName, value })),
      ),
    );
  }
  return fc.record(parts, { requiredKeys: [] });
}

/**
 * parley.api.v1 on the gateway's public port, method by method, with messages built from the contract:
 * every field missing or hostile by its type (huge strings, NULs, lone surrogates on the wire, bogus and
 * other users' ids, forged page tokens, out-of-range numbers and enum values, oversized lists), and
 * uploads of hostile metadata and chunk sequences. Each answer is OK, INVALID_ARGUMENT, NOT_FOUND or
 * PERMISSION_DENIED, an INVALID_ARGUMENT carries its google.rpc.ErrorInfo and a BadRequest naming the
 * field (unless the whole upload is at fault), and the gateway and every service behind it are up
 * afterwards.
 */
describe('gRPC fuzz: the public API (parley.api.v1) with contract-shaped hostile requests', () => {
  const signUpAs = signUpsFrom('2001:db8:15f2::');
  const seed = fuzzSeed('fuzz-grpc-api');
  const findings: Finding[] = [];
  const services = discoverGrpcServices().filter(isPublicApi);
  let stack: Stack;
  let apiKey: string;
  let pools: Pools;

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 1, 'model-gateway': 1, files: 1, retrieval: 1, gateway: 1 },
      env: { DEFAULT_USER_ROLE: 'user', RAG_FILE_MAX_SIZE: '1', RAG_ALLOWED_FILE_EXTENSIONS: 'txt,md' },
    });
    const gateway = stack.gatewayUrls[0]!;
    // The first account is the admin; the fuzzer is a plain user, so someone else's ids are out of reach.
    const admin = await signUpAs(gateway, 'Admin');
    const user = await signUpAs(gateway, 'Fuzz');
    apiKey = await apiKeyOf(gateway, user);
    const chatOf = async (token: string) => {
      const res = await fetch(`${gateway}/api/v1/chats/new`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ chat: { title: 'fuzz' } }),
      });
      return ((await res.json()) as { id: string }).id;
    };
    pools = {
      ownIds: [await chatOf(user.token), await uploadFile(gateway, user, 'mine\n', 'mine.txt')],
      theirIds: [await chatOf(admin.token), await uploadFile(gateway, admin, 'theirs\n', 'theirs.txt')],
      pageTokens: ['', 'not-a-token', Buffer.from('{"offset":-1}').toString('base64url'), randomUUID()],
    };
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('covers every public service, FileService included', () => {
    expect(services.map((s) => s.typeName)).toEqual(
      expect.arrayContaining([
        'parley.api.v1.ChatService',
        'parley.api.v1.CompletionService',
        'parley.api.v1.FileService',
        'parley.api.v1.KnowledgeService',
        'parley.api.v1.ModelService',
      ]),
    );
  });

  it('answers every hostile request with OK, INVALID_ARGUMENT, NOT_FOUND or PERMISSION_DENIED', async () => {
    const client = rawClient(stack.grpcApiTargets[0]!);
    const metadata = () => bearerMetadata(apiKey);
    let calls = 0;
    let invalid = 0;
    let withViolations = 0;
    const check = (route: string, input: string, outcome: CallOutcome) => {
      calls += 1;
      // An upload over RAG_FILE_MAX_SIZE (a declared size is enough) is the one other clear answer.
      const limit =
        outcome.code === status.RESOURCE_EXHAUSTED &&
        route === 'parley.api.v1.FileService/UploadFile' &&
        outcome.error &&
        statusDetailsOf(outcome.error).reason === 'FILE_TOO_LARGE';
      if (!ALLOWED.has(outcome.code) && !limit) {
        findings.push({
          route,
          input,
          outcome: `${statusName(outcome.code)}: ${clip(outcome.details, 200)}`,
        });
        return;
      }
      if (outcome.code === status.INVALID_ARGUMENT && outcome.error) {
        // Every refusal is the rich error model: ErrorInfo with the stable code, in Parley's domain.
        const details = statusDetailsOf(outcome.error);
        invalid += 1;
        if (details.fieldViolations.length) withViolations += 1;
        else if (!WHOLE_MESSAGE_REASONS.has(details.reason!))
          findings.push({
            route,
            input,
            outcome: `INVALID_ARGUMENT naming no field: ${clip(outcome.details, 200)}`,
          });
        if (details.domain !== 'parley' || !details.reason)
          findings.push({
            route,
            input,
            outcome: `INVALID_ARGUMENT without ErrorInfo: ${clip(outcome.details, 200)}`,
          });
      }
    };
    try {
      let index = 0;
      for (const service of services) {
        for (const method of service.methods) {
          const route = `${service.typeName}/${method.name}`;
          const requests = fc.sample(messageArbitrary(method.input, pools), {
            seed: seed + index++,
            numRuns: RUNS_PER_METHOD,
          });
          for (const init of requests) {
            let bytes: Buffer;
            try {
              bytes = withLoneSurrogates(toBinary(method.input, create(method.input, init as never)));
            } catch {
              continue; // a value protobuf-es itself refuses to encode never reaches the wire
            }
            // Over the 4 MiB receive limit gRPC itself refuses the message (the test below).
            if (bytes.length > MAX_MESSAGE_BYTES) continue;
            const input = clip(
              JSON.stringify(init, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
              200,
            );
            if (method.methodKind === 'client_streaming') {
              // An upload: the sampled message, then hostile follow-ups (chunks, a second metadata).
              const chunk = toBinary(
                method.input,
                create(method.input, { part: { case: 'chunk', value: new Uint8Array(10) } } as never),
              );
              check(
                route,
                input,
                await callRaw(
                  client,
                  service,
                  method,
                  [bytes, Buffer.from(chunk), bytes],
                  DEADLINE_MS,
                  metadata(),
                ),
              );
            } else {
              const outcome = await callRaw(client, service, method, bytes, DEADLINE_MS, metadata());
              const streamTimedOut =
                method.methodKind !== 'unary' && outcome.code === status.DEADLINE_EXCEEDED;
              if (!streamTimedOut) check(route, input, outcome);
            }
          }
        }
      }
      process.stdout.write(
        `fuzz-grpc-api: ${services.length} services, ${index} methods, ${calls} calls, ${invalid} INVALID_ARGUMENT ` +
          `(${withViolations} with field violations)\n`,
      );
    } finally {
      client.close();
    }
  });

  it('names the field of a lone surrogate on the wire in a google.rpc.BadRequest, on every method', async () => {
    const client = rawClient(stack.grpcApiTargets[0]!);
    const wrong: string[] = [];
    let checked = 0;
    try {
      for (const service of services) {
        for (const method of service.methods) {
          // Each string field of the request (the upload: of its first message's metadata) in turn.
          const upload = method.methodKind === 'client_streaming';
          const schema = upload
            ? method.input.fields.find((f) => f.name === 'metadata')!.message!
            : method.input;
          for (const field of schema.fields) {
            const list = field.fieldKind === 'list';
            if ((field.fieldKind !== 'scalar' && !list) || field.scalar !== ScalarType.STRING) continue;
            const value = list ? [SURROGATE_MARK] : `a${SURROGATE_MARK}b`;
            const init = upload
              ? { part: { case: 'metadata', value: { [field.localName]: value } } }
              : { [field.localName]: value };
            const bytes = withLoneSurrogates(toBinary(method.input, create(method.input, init as never)));
            const outcome = await callRaw(
              client,
              service,
              method,
              bytes,
              DEADLINE_MS,
              bearerMetadata(apiKey),
            );
            const expected = `${upload ? 'metadata.' : ''}${field.name}${list ? '[0]' : ''}`;
            const violations = outcome.error ? statusDetailsOf(outcome.error).fieldViolations : [];
            checked += 1;
            if (outcome.code !== status.INVALID_ARGUMENT || violations[0]?.field !== expected)
              wrong.push(
                `${service.typeName}/${method.name} ${expected}: ${statusName(outcome.code)} ${JSON.stringify(violations)}`,
              );
          }
        }
      }
    } finally {
      client.close();
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });

  it('refuses a message over the 4 MiB limit with gRPC’s own RESOURCE_EXHAUSTED, and stays up', async () => {
    const client = rawClient(stack.grpcApiTargets[0]!);
    try {
      const service = services.find((s) => s.typeName === 'parley.api.v1.ChatService')!;
      const method = service.methods.find((m) => m.name === 'CreateChat')!;
      const bytes = Buffer.from(
        toBinary(method.input, create(method.input, { title: 'a'.repeat(5 * 1024 * 1024) })),
      );
      const outcome = await callRaw(client, service, method, bytes, DEADLINE_MS, bearerMetadata(apiKey));
      expect(statusName(outcome.code)).toBe('RESOURCE_EXHAUSTED');
    } finally {
      client.close();
    }
  });

  it('leaves the gateway and every service alive and ready, and reports nothing', async () => {
    await expectCleanRun('fuzz-grpc-api', seed, findings, stack);
  });
});
