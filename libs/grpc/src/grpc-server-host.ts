import { create, DescMessage, DescService, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { GenMessage, GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import {
  Server,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceError,
  status as GrpcStatus,
  UntypedHandleCall,
  sendUnaryData,
  Metadata,
  type ChannelOptions,
  type ServerCredentials,
} from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import {
  DomainError,
  ErrorKind,
  describeUnsafeInput,
  findUnsafeInput,
  grpcStatusOf,
  toSafeErrorText,
} from '@parley/errors';
import { runWithRequestContext, sanitizeRequestId, type Logger } from '@parley/logging';
import { grpcServerDuration, inSpan, SpanKind } from '@parley/telemetry';
import { incomingRequestId, incomingTraceContext } from './call-metadata';
import { statusDetailsOf } from './error-details';
import { toGrpcServiceDefinition, UndecodableRequest } from './service-definition';
import { CALLER_METADATA_KEY, type Caller, type CallerVerifier } from './caller-assertion';
import { grpcServerCredentials } from './transport-security';

export interface CallContext {
  /** Aborted when the caller cancels or its deadline passes. */
  signal: AbortSignal;
  metadata: Metadata;
  /** Who is asking, from the verified caller assertion; never from the request message. */
  caller: Caller;
  /** The peer's address as grpc-js gives it (`ipv4:127.0.0.1:53422`), for audit lines. */
  peer?: string;
}

/**
 * Decides who a call is from by its metadata, for a server that faces outside callers (the public API:
 * Bearer credentials) instead of internal services; throws a DomainError to refuse the call.
 */
export interface CallAuthenticator {
  authenticateCall(metadata: Metadata, method: string): Promise<Caller>;
}

export interface GrpcServerHostOptions {
  /**
   * Checks the caller assertion of every call (a call without a valid one is UNAUTHENTICATED), or, for a
   * public server, authenticates each call's own credentials.
   */
  callers: CallerVerifier | CallAuthenticator;
  /** grpc-js server options over the defaults (keepalive, message sizes). */
  serverOptions?: ChannelOptions;
  /**
   * Status codes this server sends for some error kinds instead of the internal mapping (the public API
   * answers a too-large upload RESOURCE_EXHAUSTED, as gRPC does for a too-large message; internally
   * OUT_OF_RANGE keeps it apart from a rate limit).
   */
  statusOverrides?: Partial<Record<ErrorKind, GrpcStatus>>;
}

export interface ServerStream<O extends DescMessage> {
  write(message: MessageInitShape<O>): Promise<void>;
}

type InputOf<M> = M extends { input: GenMessage<infer I> } ? I : never;
type OutputSchemaOf<M> = M extends { output: infer O extends DescMessage } ? O : never;

/** The handlers a service implements, typed from its generated descriptor. */
export type ServiceHandlers<S extends GenServiceMethods> = {
  [K in keyof S]: S[K]['methodKind'] extends 'unary'
    ? (request: InputOf<S[K]>, call: CallContext) => Promise<MessageInitShape<OutputSchemaOf<S[K]>>>
    : S[K]['methodKind'] extends 'server_streaming'
      ? (
          request: InputOf<S[K]>,
          stream: ServerStream<OutputSchemaOf<S[K]>>,
          call: CallContext,
        ) => Promise<void>
      : S[K]['methodKind'] extends 'client_streaming'
        ? (
            requests: AsyncIterable<InputOf<S[K]>>,
            call: CallContext,
          ) => Promise<MessageInitShape<OutputSchemaOf<S[K]>>>
        : never;
};

/**
 * Hosts the gRPC server of a service: the generated services, the standard grpc.health.v1 service, a
 * request context and span per call, the error mapping, and the drain on shutdown.
 */
export class GrpcServerHost {
  readonly server: Server;
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly serviceNames: string[] = [];
  private boundPort?: number;

  private readonly authenticate: (metadata: Metadata, method: string) => Promise<Caller>;
  private readonly statusOverrides: Partial<Record<ErrorKind, GrpcStatus>>;

  constructor(
    private readonly logger: Logger,
    { callers, serverOptions, statusOverrides = {} }: GrpcServerHostOptions,
  ) {
    this.statusOverrides = statusOverrides;
    this.server = new Server({
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      // Connections end after a few minutes (GOAWAY; grpc-js adds jitter), so callers re-resolve and spread
      // over pods added since. Calls in flight then, long streams included, get half an hour to finish.
      'grpc.max_connection_age_ms': 5 * 60_000,
      'grpc.max_connection_age_grace_ms': 30 * 60_000,
      ...serverOptions,
    });
    this.authenticate =
      'authenticateCall' in callers
        ? (metadata, method) => callers.authenticateCall(metadata, method)
        : (metadata) => {
            const assertion = metadata.get(CALLER_METADATA_KEY)[0];
            return callers.verify(typeof assertion === 'string' ? assertion : undefined);
          };
    // grpc.health.v1 is registered directly on the server, outside addService: probes need no assertion.
    this.health.addToServer(this.server);
  }

  addService<S extends GenServiceMethods>(service: GenService<S>, handlers: ServiceHandlers<S>): void {
    const implementation: Record<string, UntypedHandleCall> = {};
    const desc = service as unknown as DescService;
    for (const method of desc.methods) {
      const handler = (handlers as Record<string, (...args: unknown[]) => Promise<unknown>>)[
        method.localName
      ];
      if (!handler) throw new Error(`${desc.typeName}.${method.name} has no handler`);
      const fullName = `${desc.typeName}/${method.name}`;
      if (method.methodKind === 'unary') {
        implementation[method.localName] = (
          call: ServerUnaryCall<unknown, unknown>,
          callback: sendUnaryData<unknown>,
        ) => {
          void this.runCall(fullName, call.metadata, call, async (ctx) => {
            this.checkRequest(call.request);
            const result = await handler(call.request, ctx);
            return create(method.output, result as MessageInitShape<DescMessage>);
          })
            .then(
              (response) => callback(null, response),
              (error: ServiceError) => callback(error),
            )
            // Answering can still throw (a response that does not serialise, a status grpc-js refuses);
            // that is this call's failure, never the process's.
            .catch((error: unknown) => this.answerFailed(fullName, error, (e) => callback(e)));
        };
      } else if (method.methodKind === 'server_streaming') {
        implementation[method.localName] = (call: ServerWritableStream<unknown, unknown>) => {
          const stream: ServerStream<DescMessage> = {
            write: (message) =>
              new Promise<void>((resolve) => {
                // Resolve on drain, so a slow reader holds back its producer instead of filling memory.
                // A throw here (a message that does not serialise) rejects the handler's await.
                if (call.write(create(method.output, message))) return resolve();
                // A call that ends meanwhile (the caller left) never drains: stop waiting then too.
                const done = () => {
                  call.off('drain', done);
                  call.off('cancelled', done);
                  call.off('close', done);
                  resolve();
                };
                call.once('drain', done);
                call.once('cancelled', done);
                call.once('close', done);
              }),
          };
          void this.runCall(fullName, call.metadata, call, (ctx) => {
            this.checkRequest(call.request);
            return handler(call.request, stream, ctx);
          })
            .then(
              () => call.end(),
              (error: ServiceError) => call.emit('error', error),
            )
            .catch((error: unknown) => this.answerFailed(fullName, error, (e) => call.emit('error', e)));
        };
      } else if (method.methodKind === 'client_streaming') {
        implementation[method.localName] = (
          call: ServerReadableStream<unknown, unknown>,
          callback: sendUnaryData<unknown>,
        ) => {
          // A caller that cancels mid-stream ends the iteration (with an error, or normally when grpc-js saw
          // the reset as a half-close first) and aborts call.signal; a handler that must not act on partial
          // input needs an explicit last message in its protocol (FilesService's upload trailer).
          call.on('cancelled', () =>
            call.destroy(new DomainError(ErrorKind.Unavailable, 'the caller cancelled')),
          );
          const checked = async function* (this: GrpcServerHost) {
            // Pulled one at a time: grpc-js stops reading from the socket while the handler is busy.
            for await (const request of call) {
              this.checkRequest(request);
              yield request;
            }
          }.call(this);
          void this.runCall(fullName, call.metadata, call, async (ctx) => {
            const result = await handler(checked, ctx);
            return create(method.output, result as MessageInitShape<DescMessage>);
          })
            .then(
              (response) => callback(null, response),
              (error: ServiceError) => callback(error),
            )
            .catch((error: unknown) => this.answerFailed(fullName, error, (e) => callback(e)));
        };
      } else {
        throw new Error(`${fullName}: bidirectional streaming methods are not supported`);
      }
    }
    this.server.addService(toGrpcServiceDefinition(desc), implementation);
    this.serviceNames.push(desc.typeName);
  }

  private async runCall<T>(
    fullName: string,
    metadata: Metadata,
    call: {
      on(event: 'cancelled', fn: () => void): unknown;
      getDeadline(): Date | number;
      getPeer(): string;
    },
    fn: (ctx: CallContext) => Promise<T>,
  ): Promise<T> {
    const requestId = sanitizeRequestId(incomingRequestId(metadata));
    const controller = new AbortController();
    call.on('cancelled', () =>
      controller.abort(new DomainError(ErrorKind.Unavailable, 'the caller cancelled')),
    );
    const stopTimer = grpcServerDuration.startTimer({ method: fullName });
    return runWithRequestContext({ requestId }, () =>
      inSpan(fullName, { kind: SpanKind.SERVER, parent: incomingTraceContext(metadata) }, async () => {
        let caller: Caller | undefined;
        try {
          caller = await this.authenticate(metadata, fullName);
          const result = await fn({ signal: controller.signal, metadata, caller, peer: call.getPeer() });
          const seconds = stopTimer({ code: 'OK' });
          this.logger.info(
            {
              method: fullName,
              code: 'OK',
              caller: describeCaller(caller),
              ms: Math.round(seconds * 10_000) / 10,
            },
            'grpc call',
          );
          return result;
        } catch (error) {
          const serviceError = this.toServiceError(fullName, error);
          const code = GrpcStatus[serviceError.code] ?? String(serviceError.code);
          const seconds = stopTimer({ code });
          this.logger.info(
            { method: fullName, code, caller: describeCaller(caller), ms: Math.round(seconds * 10_000) / 10 },
            'grpc call',
          );
          throw serviceError;
        }
      }),
    );
  }

  /**
   * Refuses a request whose text would break something further in (NUL in PostgreSQL text, lone surrogates
   * in JSON columns and status messages, nesting that overflows recursive code) before any handler sees it.
   * protobuf decoding turns invalid UTF-8 into U+FFFD, but a NUL is valid UTF-8 and arrives as is.
   */
  private checkRequest(request: unknown): void {
    if (request instanceof UndecodableRequest) {
      const field = request.invalidUtf8Field;
      const description = 'is not valid UTF-8 (a lone surrogate, or bytes that are not text)';
      throw new DomainError(
        ErrorKind.InvalidArgument,
        field
          ? `Invalid request: ${field} ${description}.`
          : `Invalid request: not a valid ${request.typeName} message.`,
        field ? { fieldViolations: [{ field, description }] } : {},
      );
    }
    // The decoded message itself, not its JSON form: toJson would base64-encode every bytes field (a
    // 64 KiB upload chunk) only for the check to scan the result; bytes carry no text and are skipped.
    const unsafe = findUnsafeInput(request, { root: 'request' });
    if (unsafe)
      throw new DomainError(
        ErrorKind.InvalidArgument,
        `Invalid request: ${unsafe.inKey ? 'a key in ' : ''}${unsafe.path} ${unsafe.problem}.`,
        {
          fieldViolations: [
            {
              field: requestFieldPath(request, unsafe.path),
              description: unsafe.inKey ? `has a key that ${unsafe.problem}` : unsafe.problem,
            },
          ],
        },
      );
    const problem = describeEmbeddedJson(request);
    if (problem) throw new DomainError(ErrorKind.InvalidArgument, `Invalid request: ${problem}.`);
  }

  /** The last resort when even sending an answer failed: log it, and try once more with a plain status. */
  private answerFailed(fullName: string, error: unknown, send: (error: ServiceError) => void): void {
    this.logger.error({ err: error, method: fullName }, 'gRPC answer could not be sent');
    try {
      send(
        Object.assign(new Error('internal error'), {
          code: GrpcStatus.INTERNAL,
          details: 'internal error; the service log has the details',
          metadata: new Metadata(),
        }) as ServiceError,
      );
    } catch (again) {
      this.logger.error({ err: again, method: fullName }, 'gRPC call could not be answered at all');
    }
  }

  private toServiceError(fullName: string, error: unknown): ServiceError {
    if (error instanceof DomainError) {
      // Status text often echoes client input (a model name, a title): grpc-js percent-encodes it and
      // throws on a lone surrogate, so it is made well-formed and bounded here, for every status we send.
      const message = toSafeErrorText(error.message, GRPC_STATUS_MESSAGE_MAX);
      const code = this.statusOverrides[error.kind] ?? grpcStatusOf(error.kind);
      return Object.assign(new Error(message), {
        code,
        details: message,
        metadata: statusDetailsOf(error, code, message),
      }) as ServiceError;
    }
    this.logger.error({ err: error, method: fullName }, 'gRPC handler failed');
    return Object.assign(new Error('internal error'), {
      code: GrpcStatus.INTERNAL,
      details: 'internal error; the service log has the details',
      metadata: new Metadata(),
    }) as ServiceError;
  }

  /** Binds the port; `credentials` default to the internal ones (mutual TLS when GRPC_TLS_* are set). */
  async listen(port: number, host = '0.0.0.0', credentials?: ServerCredentials): Promise<number> {
    this.boundPort = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`${host}:${port}`, credentials ?? grpcServerCredentials(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    return this.boundPort;
  }

  setServing(serving: boolean): void {
    const value = serving ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', value);
    for (const name of this.serviceNames) this.health.setStatus(name, value);
  }

  /** Refuses new calls, lets running ones finish within the grace period, then cuts what is left. */
  async drain(graceMs: number): Promise<'drained' | 'forced'> {
    this.setServing(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve('forced');
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve('drained');
      });
    });
  }
}

/**
 * Fields named `...Json` carry JSON text (an OpenAI body, a chat document); escapes such as `\u0000` or a
 * lone `\ud800` are harmless as text and only become unsafe once a handler parses them, so they are parsed
 * and checked here too. Text that does not parse is left for the handler to refuse in its own words.
 */
function describeEmbeddedJson(value: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: 'request' }];
  while (stack.length) {
    const { value: current, path } = stack.pop()!;
    // bytes fields (an upload chunk) hold no text: never walk their elements.
    if (current === null || typeof current !== 'object' || ArrayBuffer.isView(current)) continue;
    for (const [key, child] of Object.entries(current as Record<string, unknown>)) {
      const childPath = `${path}.${key}`;
      const texts = key.endsWith('Json')
        ? typeof child === 'string'
          ? [{ text: child, path: childPath }]
          : Array.isArray(child)
            ? child.map((text, i) => ({ text, path: `${childPath}.${i}` }))
            : []
        : [];
      for (const { text, path: textPath } of texts) {
        if (typeof text !== 'string' || !text) continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          continue;
        }
        const problem = describeUnsafeInput(parsed, { root: textPath });
        if (problem) return problem;
      }
      if (!texts.length && child !== null && typeof child === 'object') {
        stack.push({ value: child, path: childPath });
      }
    }
  }
  return undefined;
}

/**
 * A path of findUnsafeInput over a decoded message (`request.part.value.fileName`, `request.messages.0`)
 * as the proto names the field (`metadata.file_name`, `messages[0]`): a oneof's `value` is its case,
 * list positions are indexes, localNames are snake_case again. Map keys stay as they came.
 */
export function requestFieldPath(request: unknown, path: string): string {
  const segments = path.split('.').slice(1);
  const out: string[] = [];
  let current: unknown = request;
  for (const segment of segments) {
    const holder = current as Record<string, unknown> | undefined;
    const isOneof = holder !== null && typeof holder === 'object' && 'case' in holder && segment === 'value';
    const isIndex = Array.isArray(holder) && /^\d+$/.test(segment);
    const isMapKey = holder !== null && typeof holder === 'object' && !('$typeName' in holder) && !isOneof;
    if (isOneof && out.length) out[out.length - 1] = snakeCase(String(holder.case));
    else if (isIndex || (isMapKey && !Array.isArray(holder) && out.length))
      out[out.length - 1] += isIndex ? `[${segment}]` : `[${JSON.stringify(segment)}]`;
    else out.push(snakeCase(segment));
    current = holder?.[segment];
  }
  return out.join('.') || 'request';
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** For the call log: who asked, without the permission list. */
function describeCaller(caller: Caller | undefined): string | undefined {
  if (!caller) return undefined;
  return caller.kind === 'service' ? `service:${caller.service}` : `user:${caller.userId}`;
}

/** Longest status message sent; a longer one is cut (it is for people, the log has the rest). */
const GRPC_STATUS_MESSAGE_MAX = 2000;

export type { MessageShape };
