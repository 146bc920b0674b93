import { create, DescMessage, DescService, MessageInitShape } from '@bufbuild/protobuf';
import type { GenMessage, GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { Client, Metadata, ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import { DomainError, ErrorKind, kindOfGrpcStatus, toSafeErrorText } from '@parley/errors';
import { inSpan, SpanKind } from '@parley/telemetry';
import { outgoingMetadata } from './call-metadata';
import { errorCodeOf, fieldViolationsOf } from './error-details';
import { toGrpcServiceDefinition } from './service-definition';
import { CALLER_METADATA_KEY, type Caller, type CallerSigning } from './caller-assertion';
import { grpcChannelCredentials } from './transport-security';

export interface CallOptions {
  /** Overrides the client's default deadline for this call. */
  deadlineMs?: number;
  signal?: AbortSignal;
  /** Who this call acts for; falls back to the client's defaultCaller. */
  caller?: Caller;
}

type InputSchemaOf<M> = M extends { input: infer I extends DescMessage } ? I : never;
type OutputOf<M> = M extends { output: GenMessage<infer O> } ? O : never;

export type ServiceClient<S extends GenServiceMethods> = {
  [K in keyof S]: S[K]['methodKind'] extends 'unary'
    ? (request: MessageInitShape<InputSchemaOf<S[K]>>, options?: CallOptions) => Promise<OutputOf<S[K]>>
    : S[K]['methodKind'] extends 'server_streaming'
      ? (
          request: MessageInitShape<InputSchemaOf<S[K]>>,
          options?: CallOptions,
        ) => AsyncIterable<OutputOf<S[K]>>
      : S[K]['methodKind'] extends 'client_streaming'
        ? (
            requests: AsyncIterable<MessageInitShape<InputSchemaOf<S[K]>>>,
            options?: CallOptions,
          ) => Promise<OutputOf<S[K]>>
        : never;
} & { close(): void };

export interface GrpcClientOptions {
  /** Every call gets a deadline; this is the default. */
  deadlineMs: number;
  /** A name for error messages: "the chat service is unavailable". */
  peerName: string;
  /** Signs the caller assertion of every call (for the service named in `audience`). */
  signing: CallerSigning;
  /**
   * The caller of calls that name none, for clients that only ever act as their own service. Clients that
   * act for users leave it unset, so a call that forgets its caller fails instead of running as a service.
   */
  defaultCaller?: Caller;
}

const ROUND_ROBIN = JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] });

/**
 * A typed client for a generated service. Every call carries a deadline, the request id and the trace
 * context; gRPC failures come back as DomainErrors whose message a user can read.
 */
export function createGrpcClient<S extends GenServiceMethods>(
  service: GenService<S>,
  target: string,
  { deadlineMs, peerName, signing, defaultCaller }: GrpcClientOptions,
): ServiceClient<S> {
  const metadataFor = async (options: CallOptions) => {
    const caller = options.caller ?? defaultCaller;
    if (!caller) throw new Error(`${desc.typeName}: a call without a caller (pass options.caller)`);
    const metadata = outgoingMetadata();
    metadata.set(CALLER_METADATA_KEY, await signing.signer.sign(caller, signing.audience));
    return metadata;
  };
  const desc = service as unknown as DescService;
  const client = new Client(target, grpcChannelCredentials(), {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    // Calls spread over every address the target resolves to (a headless Service: every ready pod), not
    // all to the first one; the servers' max connection age makes clients re-resolve and find new pods.
    'grpc.service_config': ROUND_ROBIN,
    // Internal calls never go through HTTP_PROXY/HTTPS_PROXY: those are for model-gateway's upstreams.
    'grpc.enable_http_proxy': 0,
    // Reconnect quickly after a peer restarts instead of waiting out the default backoff.
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 2_000,
  });
  const definition = toGrpcServiceDefinition(desc);
  const api: Record<string, unknown> = { close: () => client.close() };

  for (const method of desc.methods) {
    const def = definition[method.localName]!;
    const spanName = `${desc.typeName}/${method.name}`;
    if (method.methodKind === 'unary') {
      api[method.localName] = (request: MessageInitShape<DescMessage>, options: CallOptions = {}) =>
        inSpan(spanName, { kind: SpanKind.CLIENT }, async () => {
          const metadata = await metadataFor(options);
          return new Promise((resolve, reject) => {
            const call = client.makeUnaryRequest(
              def.path,
              def.requestSerialize,
              def.responseDeserialize,
              create(method.input, request),
              metadata,
              { deadline: Date.now() + (options.deadlineMs ?? deadlineMs) },
              (error, response) => (error ? reject(toDomainError(error, peerName)) : resolve(response)),
            );
            options.signal?.addEventListener('abort', () => call.cancel(), { once: true });
          });
        });
    } else if (method.methodKind === 'server_streaming') {
      api[method.localName] = (request: MessageInitShape<DescMessage>, options: CallOptions = {}) => ({
        async *[Symbol.asyncIterator]() {
          const metadata = await metadataFor(options);
          const call = client.makeServerStreamRequest(
            def.path,
            def.requestSerialize,
            def.responseDeserialize,
            create(method.input, request),
            metadata,
            options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs },
          );
          options.signal?.addEventListener('abort', () => call.cancel(), { once: true });
          try {
            for await (const message of call) yield message;
          } catch (error) {
            throw toDomainError(error as ServiceError, peerName);
          }
        },
      });
    } else if (method.methodKind === 'client_streaming') {
      api[method.localName] = (
        requests: AsyncIterable<MessageInitShape<DescMessage>>,
        options: CallOptions = {},
      ) =>
        inSpan(spanName, { kind: SpanKind.CLIENT }, async () => {
          const metadata = await metadataFor(options);
          let answered = false;
          let sourceFailure: unknown;
          const settle = {} as { resolve: (value: unknown) => void; reject: (error: unknown) => void };
          const result = new Promise((resolve, reject) => Object.assign(settle, { resolve, reject }));
          const call = client.makeClientStreamRequest(
            def.path,
            def.requestSerialize,
            def.responseDeserialize,
            metadata,
            options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs },
            (error, response) => {
              answered = true;
              if (sourceFailure !== undefined) settle.reject(sourceFailure);
              else if (error) settle.reject(toDomainError(error, peerName));
              else settle.resolve(response);
            },
          );
          options.signal?.addEventListener('abort', () => call.cancel(), { once: true });
          try {
            for await (const request of requests) {
              if (answered) break;
              // Wait for drain when the send buffer is full: the source is read no faster than the peer takes it.
              if (!call.write(create(method.input, request)))
                await new Promise<void>((resolve) => {
                  const done = () => {
                    call.off('drain', done);
                    call.off('status', done);
                    resolve();
                  };
                  call.once('drain', done);
                  call.once('status', done);
                });
            }
            call.end();
          } catch (error) {
            // The source broke (a truncated upload): cancel, so the server discards what it received.
            sourceFailure = error;
            call.cancel();
          }
          return result;
        });
    }
  }
  return api as ServiceClient<S>;
}

export function toDomainError(error: ServiceError, peerName: string): DomainError {
  const kind = kindOfGrpcStatus(error.code);
  // From the google.rpc.ErrorInfo in the status details; without one, DomainError falls back to the kind.
  const code = errorCodeOf(error.metadata);
  if (error.code === GrpcStatus.UNAVAILABLE) {
    return new DomainError(
      ErrorKind.Unavailable,
      `The ${peerName} service is unavailable; try again shortly.`,
      { code },
    );
  }
  if (error.code === GrpcStatus.DEADLINE_EXCEEDED) {
    return new DomainError(ErrorKind.DeadlineExceeded, `The ${peerName} service did not answer in time.`, {
      code,
    });
  }
  const retryAfter = Number(error.metadata?.get('retry-after')[0]);
  const fieldViolations = fieldViolationsOf(error.metadata);
  return new DomainError(
    kind,
    // Passed on to HTTP answers and further gRPC statuses: keep it well-formed and bounded.
    toSafeErrorText(error.details || error.message, 2000),
    {
      ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
      ...(fieldViolations.length ? { fieldViolations } : {}),
      code,
    },
  );
}

export { Metadata };
