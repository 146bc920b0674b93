import { status as GrpcStatus } from '@grpc/grpc-js';
import { DomainError, ErrorKind } from '@parley/errors';
import { createLogger } from '@parley/logging';
import type { ServiceClient } from './grpc-client';
import type { ServiceHandlers } from './grpc-server-host';
import { failureOf, loopbackModelGateway } from './spec-support';
import { requestFieldPath } from './grpc-server-host';
import { create } from '@bufbuild/protobuf';
import { filesV1, modelGatewayV1, retrievalV1 } from '@parley/proto';

const SECRET = 'a test secret of enough length, 32+';

type Methods = typeof modelGatewayV1.ModelGatewayService extends { method: infer M } ? M : never;
type Handlers = ServiceHandlers<Methods & Record<string, never>>;

/** A real grpc-js server on a loopback port, with the handlers each test sets. */
describe('GrpcServerHost with hostile input and failing handlers', () => {
  let client: ServiceClient<Methods>;
  let close: () => Promise<void>;
  const handlers: Record<string, (...args: never[]) => Promise<unknown>> = {};
  const logged: string[] = [];

  beforeAll(async () => {
    const logger = createLogger({
      service: 'grpc-spec',
      level: 'info',
      destination: { write: (line: string) => logged.push(line) } as never,
    });
    const dispatch = new Proxy(
      {},
      {
        get:
          (_target, name: string) =>
          (...args: never[]) =>
            handlers[name] ? handlers[name](...args) : Promise.reject(new Error(`no handler ${name}`)),
      },
    ) as Handlers;
    ({ client, close } = await loopbackModelGateway(dispatch, { secret: SECRET, logger }));
  });

  afterAll(() => close());

  it('answers a handler error whose message holds a lone surrogate with a clean status', async () => {
    handlers.createChatCompletion = async () => {
      throw new DomainError(ErrorKind.NotFound, 'Model not found: x\ud800y');
    };
    const error = await failureOf(client.createChatCompletion({ bodyJson: '{}' }));
    expect(error.kind).toBe(ErrorKind.NotFound);
    expect(error.message).toBe('Model not found: x\uFFFDy');
    // The server is still there for the next call.
    handlers.createChatCompletion = async () => ({ status: 200, json: '{"ok":true}' });
    await expect(client.createChatCompletion({ bodyJson: '{}' })).resolves.toBeDefined();
  });

  it('carries the error code across the call, and the kind as code when the thrower gave none', async () => {
    handlers.createChatCompletion = async () => {
      throw new DomainError(ErrorKind.RateLimited, 'Quota used up', {
        code: 'QUOTA_EXCEEDED',
        retryAfterSeconds: 7,
      });
    };
    const coded = await failureOf(client.createChatCompletion({ bodyJson: '{}' }));
    expect(coded.kind).toBe(ErrorKind.RateLimited);
    expect(coded.code).toBe('QUOTA_EXCEEDED');
    expect(coded.extra.retryAfterSeconds).toBe(7);
    handlers.createChatCompletion = async () => {
      throw new DomainError(ErrorKind.NotFound, 'gone');
    };
    expect((await failureOf(client.createChatCompletion({ bodyJson: '{}' }))).code).toBe('NOT_FOUND');
    handlers.createChatCompletion = async () => {
      throw new Error('boom');
    };
    expect((await failureOf(client.createChatCompletion({ bodyJson: '{}' }))).code).toBe('INTERNAL');
  });

  it('cuts a very long status message', async () => {
    handlers.createChatCompletion = async () => {
      throw new DomainError(ErrorKind.InvalidArgument, 'x'.repeat(100_000));
    };
    const error = await failureOf(client.createChatCompletion({ bodyJson: '{}' }));
    expect(error.kind).toBe(ErrorKind.InvalidArgument);
    expect(error.message.length).toBeLessThanOrEqual(2000);
  });

  it('refuses a request with a NUL before the handler runs, naming the field', async () => {
    let ran = false;
    handlers.verifyConnection = async () => {
      ran = true;
      return {};
    };
    const error = await failureOf(
      client.verifyConnection({
        kind: modelGatewayV1.ConnectionKind.OPENAI,
        baseUrl: 'http://up\u0000stream',
      }),
    );
    expect(error.kind).toBe(ErrorKind.InvalidArgument);
    expect(error.message).toContain('request.baseUrl');
    expect(error.message).toContain('NUL');
    // The same field as a google.rpc.BadRequest violation, named as the proto names it.
    expect(error.extra.fieldViolations).toEqual([
      { field: 'base_url', description: expect.stringContaining('NUL') },
    ]);
    expect(ran).toBe(false);
  });

  it('sends the field violations a handler names as google.rpc.BadRequest, beside the code', async () => {
    handlers.createChatCompletion = async () => {
      throw new DomainError(ErrorKind.InvalidArgument, 'messages[0].role: is required', {
        code: 'INVALID_INPUT',
        fieldViolations: [
          { field: 'messages[0].role', description: 'is required' },
          { field: 'model', description: 'x\ud800' },
        ],
      });
    };
    const error = await failureOf(client.createChatCompletion({ bodyJson: '{}' }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.extra.fieldViolations).toEqual([
      { field: 'messages[0].role', description: 'is required' },
      { field: 'model', description: 'x\uFFFD' },
    ]);
  });

  it('refuses unsafe text inside a JSON-text field once parsed', async () => {
    handlers.createChatCompletion = async () => ({});
    const surrogate = await failureOf(
      client.createChatCompletion({ bodyJson: '{"model":"x\\ud800y","messages":[]}' }),
    );
    expect(surrogate.kind).toBe(ErrorKind.InvalidArgument);
    expect(surrogate.message).toContain('request.bodyJson.model');
    const deep = await failureOf(
      client.createChatCompletion({ bodyJson: '['.repeat(20_000) + ']'.repeat(20_000) }),
    );
    expect(deep.kind).toBe(ErrorKind.InvalidArgument);
    expect(deep.message).toContain('deeper than the limit');
  });

  it('answers a synchronous throw and a non-domain error as INTERNAL without echoing it', async () => {
    handlers.createChatCompletion = (() => {
      throw new TypeError('secret sk-123 \ud800');
    }) as never;
    const error = await failureOf(client.createChatCompletion({ bodyJson: '{}' }));
    expect(error.kind).toBe(ErrorKind.Internal);
    expect(error.message).not.toContain('sk-123');
  });

  it('settles a streaming call whose handler fails after writing', async () => {
    handlers.streamChatCompletion = (async (
      _request: unknown,
      stream: { write(m: unknown): Promise<void> },
    ) => {
      await stream.write({ event: { case: 'chunkJson', value: '{"n":1}' } });
      throw new DomainError(ErrorKind.Unavailable, 'upstream broke: \udc00');
    }) as never;
    const seen: unknown[] = [];
    let failure: DomainError | undefined;
    try {
      for await (const message of client.streamChatCompletion({ bodyJson: '{}' })) seen.push(message);
    } catch (error) {
      failure = error as DomainError;
    }
    expect(seen).toHaveLength(1);
    expect(failure?.kind).toBe(ErrorKind.Unavailable);
  });

  it('settles a streaming call whose write throws (a message that does not serialise)', async () => {
    handlers.streamChatCompletion = (async (
      _request: unknown,
      stream: { write(m: unknown): Promise<void> },
    ) => {
      await stream.write({ event: { case: 'error', value: { httpStatus: 'not a number' as never } } });
    }) as never;
    let failure: DomainError | undefined;
    try {
      for await (const message of client.streamChatCompletion({ bodyJson: '{}' })) void message;
    } catch (error) {
      failure = error as DomainError;
    }
    expect(failure).toBeInstanceOf(DomainError);
    expect(failure?.kind).not.toBe(ErrorKind.Unavailable);
  });

  it('refuses a NUL in a streaming request', async () => {
    handlers.streamChatCompletion = (async () => undefined) as never;
    let failure: DomainError | undefined;
    try {
      for await (const message of client.streamChatCompletion({ bodyJson: '{"a":"\u0000"}' })) void message;
    } catch (error) {
      failure = error as DomainError;
    }
    expect(failure?.kind).toBe(ErrorKind.InvalidArgument);
    expect(GrpcStatus.INVALID_ARGUMENT).toBe(3);
  });
});

describe('requestFieldPath', () => {
  it('names a field of a decoded message the way the proto does', () => {
    const upload = create(filesV1.UploadFileRequestSchema, {
      part: { case: 'metadata', value: { filename: 'a', declaredContentType: 'b' } },
    });
    expect(requestFieldPath(upload, 'request.part.value.declaredContentType')).toBe(
      'metadata.declared_content_type',
    );
    const search = create(retrievalV1.SearchRequestSchema, {
      query: 'q',
      targets: [{}, { target: { case: 'knowledgeBaseId', value: 'k' } }],
    });
    expect(requestFieldPath(search, 'request.targets.1.target.value')).toBe('targets[1].knowledge_base_id');
    expect(requestFieldPath(search, 'request.topK')).toBe('top_k');
    expect(requestFieldPath(search, 'request')).toBe('request');
  });
});
