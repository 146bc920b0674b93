import { create, DescMessage, DescService, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { GenMessage, GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import {
  Server,
  ServerCredentials,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceError,
  status as GrpcStatus,
  UntypedHandleCall,
  sendUnaryData,
  Metadata,
} from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { DomainError, ErrorKind, grpcStatusOf } from '@parley/errors';
import { runWithRequestContext, sanitizeRequestId, type Logger } from '@parley/logging';
import { grpcServerDuration, inSpan, SpanKind } from '@parley/telemetry';
import { incomingRequestId, incomingTraceContext } from './call-metadata';
import { toGrpcServiceDefinition } from './service-definition';

export interface CallContext {
  /** Aborted when the caller cancels or its deadline passes. */
  signal: AbortSignal;
  metadata: Metadata;
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
      : never;
};

/**
 * Hosts the gRPC server of a service: the generated services, the standard grpc.health.v1 service, a
 * request context and span per call, the error mapping, and the drain on shutdown.
 */
export class GrpcServerHost {
  readonly server = new Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly serviceNames: string[] = [];
  private boundPort?: number;

  constructor(private readonly logger: Logger) {
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
            const result = await handler(call.request, ctx);
            return create(method.output, result as MessageInitShape<DescMessage>);
          }).then(
            (response) => callback(null, response),
            (error: ServiceError) => callback(error),
          );
        };
      } else if (method.methodKind === 'server_streaming') {
        implementation[method.localName] = (call: ServerWritableStream<unknown, unknown>) => {
          const stream: ServerStream<DescMessage> = {
            write: (message) =>
              new Promise<void>((resolve) => {
                // Resolve on drain, so a slow reader holds back its producer instead of filling memory.
                if (call.write(create(method.output, message))) resolve();
                else call.once('drain', () => resolve());
              }),
          };
          void this.runCall(fullName, call.metadata, call, (ctx) => handler(call.request, stream, ctx)).then(
            () => call.end(),
            (error: ServiceError) => call.emit('error', error),
          );
        };
      } else {
        throw new Error(`${fullName}: only unary and server-streaming methods are supported`);
      }
    }
    this.server.addService(toGrpcServiceDefinition(desc), implementation);
    this.serviceNames.push(desc.typeName);
  }

  private async runCall<T>(
    fullName: string,
    metadata: Metadata,
    call: { on(event: 'cancelled', fn: () => void): unknown; getDeadline(): Date | number },
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
        try {
          const result = await fn({ signal: controller.signal, metadata });
          const seconds = stopTimer({ code: 'OK' });
          this.logger.info(
            { method: fullName, code: 'OK', ms: Math.round(seconds * 10_000) / 10 },
            'grpc call',
          );
          return result;
        } catch (error) {
          const serviceError = this.toServiceError(fullName, error);
          const code = GrpcStatus[serviceError.code] ?? String(serviceError.code);
          const seconds = stopTimer({ code });
          this.logger.info({ method: fullName, code, ms: Math.round(seconds * 10_000) / 10 }, 'grpc call');
          throw serviceError;
        }
      }),
    );
  }

  private toServiceError(fullName: string, error: unknown): ServiceError {
    if (error instanceof DomainError) {
      return Object.assign(new Error(error.message), {
        code: grpcStatusOf(error.kind),
        details: error.message,
        metadata: retryAfterMetadata(error),
      }) as ServiceError;
    }
    this.logger.error({ err: error, method: fullName }, 'gRPC handler failed');
    return Object.assign(new Error('internal error'), {
      code: GrpcStatus.INTERNAL,
      details: 'internal error; the service log has the details',
      metadata: new Metadata(),
    }) as ServiceError;
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    this.boundPort = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
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

function retryAfterMetadata(error: DomainError): Metadata {
  const metadata = new Metadata();
  if (error.extra.retryAfterSeconds !== undefined)
    metadata.set('retry-after', String(error.extra.retryAfterSeconds));
  return metadata;
}

export type { MessageShape };
