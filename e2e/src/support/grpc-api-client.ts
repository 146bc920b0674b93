import {
  create,
  fromBinary,
  type DescMessage,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { type ChannelCredentials, Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { errorCodeOf, toGrpcServiceDefinition } from '@parley/grpc';
import { googleRpc } from '@parley/proto';

/** The error of a call that must fail (the test fails if it succeeds). */
export async function failedCall(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('the call succeeded');
}

/**
 * The rich error model of a failed call, decoded from its `grpc-status-details-bin` trailer the way any
 * gRPC client's status-details support does: google.rpc.Status with ErrorInfo and BadRequest.
 */
export function statusDetailsOf(error: ServiceError): {
  code: number;
  message: string;
  reason?: string;
  domain?: string;
  fieldViolations: Array<{ field: string; description: string }>;
} {
  const raw = error.metadata?.get('grpc-status-details-bin')[0];
  if (!Buffer.isBuffer(raw)) throw new Error(`no status details (${error.code}: ${error.details})`);
  const status = fromBinary(googleRpc.StatusSchema, raw);
  const info = status.details.map((d) => anyUnpack(d, googleRpc.ErrorInfoSchema)).find(Boolean);
  const badRequest = status.details.map((d) => anyUnpack(d, googleRpc.BadRequestSchema)).find(Boolean);
  return {
    code: status.code,
    message: status.message,
    reason: info?.reason,
    domain: info?.domain,
    fieldViolations: (badRequest?.fieldViolations ?? []).map(({ field, description }) => ({
      field,
      description,
    })),
  };
}

/**
 * A client of the public gRPC API as a platform team would write one: the generated descriptors, plain
 * grpc-js, and `authorization: Bearer <key>` metadata. No caller assertion, no internal helpers.
 */
export class GrpcApiClient {
  private readonly client: Client;

  constructor(
    target: string,
    private readonly credential?: string,
    /** Plaintext unless given (TLS: `credentials.createSsl(ca)`). */
    channel: ChannelCredentials = credentials.createInsecure(),
  ) {
    this.client = new Client(target, channel);
  }

  metadata(credential = this.credential): Metadata {
    const metadata = new Metadata();
    if (credential) metadata.set('authorization', `Bearer ${credential}`);
    return metadata;
  }

  unary<I extends DescMessage, O extends DescMessage>(
    service: DescService,
    method: string,
    request: MessageInitShape<I>,
    options: { credential?: string | null; deadlineMs?: number } = {},
  ): Promise<MessageShape<O>> {
    const m = this.method(service, method);
    return new Promise((resolve, reject) =>
      this.client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize as (b: Buffer) => MessageShape<O>,
        create(service.method[method]!.input, request as never),
        this.metadata(options.credential === null ? '' : (options.credential ?? this.credential)),
        { deadline: Date.now() + (options.deadlineMs ?? 20_000) },
        (error: ServiceError | null, response?: MessageShape<O>) =>
          error ? reject(error) : resolve(response!),
      ),
    );
  }

  /** A server stream, with the call itself so a test can cancel it. */
  stream<O extends DescMessage>(
    service: DescService,
    method: string,
    request: MessageInitShape<DescMessage>,
  ) {
    const m = this.method(service, method);
    const call = this.client.makeServerStreamRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize as (b: Buffer) => MessageShape<O>,
      create(service.method[method]!.input, request as never),
      this.metadata(),
      { deadline: Date.now() + 30_000 },
    );
    return call;
  }

  /**
   * A client stream: writes the requests as fast as the server takes them and stops at the answer, so a
   * refusal mid-stream ends the writing. `sent` counts the requests written before the answer came.
   * With `end: false` the stream is left open after the last request, so an answer can only be a refusal
   * the server made mid-stream (it never saw the end).
   */
  async clientStream<O extends DescMessage>(
    service: DescService,
    method: string,
    requests: Iterable<MessageInitShape<DescMessage>>,
    options: { credential?: string | null; end?: boolean } = {},
  ): Promise<{ response?: MessageShape<O>; error?: ServiceError; sent: number }> {
    const m = this.method(service, method);
    let answer: { response?: MessageShape<O>; error?: ServiceError } | undefined;
    let answered: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (answered = resolve));
    const call = this.client.makeClientStreamRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize as (b: Buffer) => MessageShape<O>,
      this.metadata(options.credential === null ? '' : (options.credential ?? this.credential)),
      { deadline: Date.now() + 60_000 },
      (error: ServiceError | null, response?: MessageShape<O>) => {
        answer = error ? { error } : { response: response! };
        answered();
      },
    );
    let sent = 0;
    for (const request of requests) {
      if (answer) break;
      const more = call.write(create(service.method[method]!.input, request as never));
      sent += 1;
      if (!more) await Promise.race([new Promise((resolve) => call.once('drain', resolve)), done]);
    }
    if (!answer && options.end !== false) call.end();
    await done;
    if (options.end === false) call.cancel();
    return { ...answer, sent };
  }

  /** Every response of a server stream, or the status it failed with. */
  async collect<O extends DescMessage>(
    service: DescService,
    method: string,
    request: MessageInitShape<DescMessage>,
  ): Promise<Array<MessageShape<O>>> {
    const call = this.stream<O>(service, method, request);
    const responses: Array<MessageShape<O>> = [];
    for await (const response of call) responses.push(response as MessageShape<O>);
    return responses;
  }

  close(): void {
    this.client.close();
  }

  private method(service: DescService, method: string) {
    const definition = toGrpcServiceDefinition(service)[method];
    if (!definition) throw new Error(`${service.typeName} has no method ${method}`);
    return definition;
  }
}

/** The failure of a call that must fail: its status and the stable code in its google.rpc.ErrorInfo. */
export async function failureOf(
  call: Promise<unknown>,
): Promise<{ code: number; reason?: string; details: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as ServiceError;
    return { code: e.code, reason: errorCodeOf(e.metadata), details: e.details };
  }
  throw new Error('the call succeeded');
}
