import {
  create,
  fromBinary,
  toBinary,
  type DescMethod,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import {
  Client,
  credentials as grpcCredentials,
  Metadata,
  type CallOptions as GrpcCallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type ClientReadableStream,
} from '@grpc/grpc-js';
import { ParleyApiError } from './api-error';
import { AdminService } from './gen/parley/api/v1/admin_service_pb';
import { ChatService } from './gen/parley/api/v1/chat_service_pb';
import { CompletionService } from './gen/parley/api/v1/completion_service_pb';
import { FileService } from './gen/parley/api/v1/file_service_pb';
import { KnowledgeService } from './gen/parley/api/v1/knowledge_service_pb';
import { ModelService } from './gen/parley/api/v1/model_service_pb';

export interface CallOptions {
  /** Milliseconds for this call; default: the client's `deadlineMs` for unary calls, none for streams. */
  deadlineMs?: number;
  /** Cancels the call (a stream stops, the server stops its work). */
  signal?: AbortSignal;
  /** Extra metadata (`x-request-id`, ...). */
  metadata?: Record<string, string>;
}

export interface ParleyClientOptions {
  /**
   * The gateway's gRPC API: `host:port` (plaintext), `grpc://host:port`, or `grpcs://host:port` /
   * `https://host:port` (TLS with the system's roots unless `rootCerts` is given).
   */
  url: string;
  /** An API key (`sk-...`) or an access token; sent as `authorization: Bearer ...` on every call. */
  apiKey: string;
  /** PEM roots for TLS (a private CA). */
  rootCerts?: Buffer;
  /** The deadline of unary calls, in milliseconds (default 30 s). */
  deadlineMs?: number;
  /** grpc-js channel options over the defaults. */
  channelOptions?: ChannelOptions;
}

type In<M> = M extends { input: infer I extends DescMethod['input'] } ? MessageInitShape<I> : never;
type Out<M> = M extends { output: infer O extends DescMethod['output'] } ? MessageShape<O> : never;

/** A typed client of one service: a method per rpc, named as in the generated descriptor (`listModels`). */
export type ServiceClient<S extends GenServiceMethods> = {
  [K in keyof S]: S[K]['methodKind'] extends 'unary'
    ? (request: In<S[K]>, options?: CallOptions) => Promise<Out<S[K]>>
    : S[K]['methodKind'] extends 'server_streaming'
      ? (request: In<S[K]>, options?: CallOptions) => AsyncIterable<Out<S[K]>>
      : S[K]['methodKind'] extends 'client_streaming'
        ? (
            requests: AsyncIterable<In<S[K]>> | Iterable<In<S[K]>>,
            options?: CallOptions,
          ) => Promise<Out<S[K]>>
        : never;
};

type MethodsOf<S> = S extends GenService<infer M> ? M : never;

export interface ParleyClient {
  models: ServiceClient<MethodsOf<typeof ModelService>>;
  chats: ServiceClient<MethodsOf<typeof ChatService>>;
  completions: ServiceClient<MethodsOf<typeof CompletionService>>;
  knowledge: ServiceClient<MethodsOf<typeof KnowledgeService>>;
  /** Upload (client stream: `metadata`, then `chunk`s of 64 KiB–1 MiB), get, download (a stream), delete. */
  files: ServiceClient<MethodsOf<typeof FileService>>;
  admin: ServiceClient<MethodsOf<typeof AdminService>>;
  /** A client of any parley.api.v1 service over the same connection (a newer service than this list). */
  service<S extends GenServiceMethods>(service: GenService<S>): ServiceClient<S>;
  /** Closes the connection; calls in flight fail. */
  close(): void;
}

/** What a target URL says: the grpc-js target and whether to use TLS. */
export function parseTarget(url: string): { target: string; tls: boolean } {
  const match = /^(grpcs?|https?):\/\/([^/]+)\/?$/.exec(url.trim());
  if (!match) return { target: url.trim(), tls: false };
  return { target: match[2]!, tls: match[1] === 'grpcs' || match[1] === 'https' };
}

/**
 * A client of the public gRPC API (`parley.api.v1`, docs/grpc-api.md) on plain @grpc/grpc-js: one
 * connection, the API key as Bearer metadata on every call, typed requests and answers from the
 * generated descriptors, server streams as async iterables, failures as ParleyApiError.
 */
export function createParleyClient(options: ParleyClientOptions): ParleyClient {
  if (!options.apiKey) throw new Error('createParleyClient: apiKey is required');
  const { target, tls } = parseTarget(options.url);
  const channelCredentials: ChannelCredentials = tls
    ? grpcCredentials.createSsl(options.rootCerts ?? null)
    : grpcCredentials.createInsecure();
  const client = new Client(target, channelCredentials, {
    'grpc.keepalive_time_ms': 120_000,
    'grpc.keepalive_timeout_ms': 20_000,
    ...options.channelOptions,
  });
  const transport = new Transport(client, options.apiKey, options.deadlineMs ?? 30_000);
  const service = <S extends GenServiceMethods>(desc: GenService<S>) => serviceClient(desc, transport);
  return {
    models: service(ModelService),
    chats: service(ChatService),
    completions: service(CompletionService),
    knowledge: service(KnowledgeService),
    files: service(FileService),
    admin: service(AdminService),
    service,
    close: () => client.close(),
  };
}

function serviceClient<S extends GenServiceMethods>(
  service: GenService<S>,
  transport: Transport,
): ServiceClient<S> {
  const api: Record<string, unknown> = {};
  for (const method of (service as unknown as DescService).methods) {
    api[method.localName] = transport.bind(`/${service.typeName}/${method.name}`, method);
  }
  return api as ServiceClient<S>;
}

/** The calls of one connection, each with the Bearer credential, a deadline and cancellation. */
class Transport {
  constructor(
    private readonly client: Client,
    private readonly apiKey: string,
    private readonly deadlineMs: number,
  ) {}

  bind(path: string, method: DescMethod): (input: unknown, options?: CallOptions) => unknown {
    const serialize = (message: MessageInitShape<DescMethod['input']>) =>
      Buffer.from(toBinary(method.input, create(method.input, message)));
    const deserialize = (bytes: Buffer) => fromBinary(method.output, bytes);
    switch (method.methodKind) {
      case 'unary':
        return (request, options = {}) =>
          new Promise((resolve, reject) => {
            const call = this.client.makeUnaryRequest(
              path,
              serialize,
              deserialize,
              request as MessageInitShape<DescMethod['input']>,
              this.metadata(options),
              this.callOptions(options, this.deadlineMs),
              (error, response) => (error ? reject(ParleyApiError.of(error)) : resolve(response)),
            );
            onAbort(options.signal, () => call.cancel());
          });
      case 'server_streaming':
        return (request, options = {}) =>
          this.iterate(
            () =>
              this.client.makeServerStreamRequest(
                path,
                serialize,
                deserialize,
                request as MessageInitShape<DescMethod['input']>,
                this.metadata(options),
                this.callOptions(options),
              ),
            options.signal,
          );
      case 'client_streaming':
        return (requests, options = {}) =>
          new Promise((resolve, reject) => {
            const call = this.client.makeClientStreamRequest(
              path,
              serialize,
              deserialize,
              this.metadata(options),
              this.callOptions(options),
              (error, response) => (error ? reject(ParleyApiError.of(error)) : resolve(response)),
            );
            onAbort(options.signal, () => call.cancel());
            void (async () => {
              try {
                for await (const message of requests as AsyncIterable<
                  MessageInitShape<DescMethod['input']>
                >) {
                  // Respect the connection's flow control: wait for room before the next message.
                  if (!call.write(message))
                    await new Promise((done) => {
                      call.once('drain', done);
                      call.once('status', done);
                    });
                }
                call.end();
              } catch (error) {
                // A source that fails mid-way must not look like a complete upload: cancel the call.
                call.cancel();
                reject(error);
              }
            })();
          });
      default:
        return () => {
          throw new Error(`${path}: bidirectional streaming is not supported by this client`);
        };
    }
  }

  /** A server stream as an async iterable; leaving the loop early (break, throw) cancels the call. */
  private async *iterate(
    start: () => ClientReadableStream<unknown>,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<unknown> {
    const call = start();
    onAbort(signal, () => call.cancel());
    let finished = false;
    try {
      for await (const message of call) yield message;
      finished = true;
    } catch (error) {
      finished = true;
      throw ParleyApiError.of(error);
    } finally {
      if (!finished) call.cancel();
    }
  }

  private metadata(options: CallOptions): Metadata {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
    metadata.set('authorization', `Bearer ${this.apiKey}`);
    return metadata;
  }

  private callOptions(options: CallOptions, fallbackMs?: number): GrpcCallOptions {
    const ms = options.deadlineMs ?? fallbackMs;
    return ms === undefined ? {} : { deadline: Date.now() + ms };
  }
}

function onAbort(signal: AbortSignal | undefined, cancel: () => void): void {
  if (!signal) return;
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel, { once: true });
}
