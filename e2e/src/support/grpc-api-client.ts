import {
  create,
  type DescMessage,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { errorCodeOf, toGrpcServiceDefinition } from '@parley/grpc';

/**
 * A client of the public gRPC API as a platform team would write one: the generated descriptors, plain
 * grpc-js, and `authorization: Bearer <key>` metadata. No caller assertion, no internal helpers.
 */
export class GrpcApiClient {
  private readonly client: Client;

  constructor(
    target: string,
    private readonly credential?: string,
  ) {
    this.client = new Client(target, credentials.createInsecure());
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
