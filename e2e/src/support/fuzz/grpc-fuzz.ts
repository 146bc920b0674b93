import { create, DescMessage, DescMethod, DescService, ScalarType, toBinary } from '@bufbuild/protobuf';
import { Client, credentials, Metadata, ServiceError, status } from '@grpc/grpc-js';
import * as proto from '@parley/proto';
import { CALLER_METADATA_KEY, CallerSigner } from '@parley/grpc';
import { ServiceName, userCaller } from '@parley/testing';

/** Every gRPC service in the generated contracts, found by walking @parley/proto's exports. */
export function discoverGrpcServices(): DescService[] {
  const found: DescService[] = [];
  for (const namespace of Object.values(proto) as unknown as Array<Record<string, unknown>>) {
    for (const value of Object.values(namespace)) {
      if (value && typeof value === 'object' && (value as { kind?: unknown }).kind === 'service')
        found.push(value as DescService);
    }
  }
  return found.sort((a, b) => a.typeName.localeCompare(b.typeName));
}

/** Which stack service serves a contract package (parley.modelgateway.v1 → model-gateway; the public API: gateway). */
export function servingService(service: DescService): ServiceName {
  const pkg = service.typeName.split('.')[1];
  if (pkg === 'modelgateway') return 'model-gateway';
  if (pkg === 'api') return 'gateway';
  return pkg as ServiceName;
}

/** The public API (parley.api.v1): served on the gateway's GRPC_API_PORT, called with Bearer credentials. */
export function isPublicApi(service: DescService): boolean {
  return service.typeName.startsWith('parley.api.');
}

/** The metadata of a public API call: an API key (or token) as Bearer, or none. */
export function bearerMetadata(credential?: string): Metadata {
  const metadata = new Metadata();
  metadata.set('x-request-id', `fuzz-${Date.now().toString(36)}`);
  if (credential) metadata.set('authorization', `Bearer ${credential}`);
  return metadata;
}

/**
 * The metadata every fuzz call carries. The one place that says who the fuzzer claims to be: an admin
 * (the caller that reaches the most code), asserted with the stack's secret for the serving service.
 * Without a secret the call carries no assertion at all.
 */
export async function callerMetadata(secret?: string, audience?: ServiceName): Promise<Metadata> {
  const metadata = new Metadata();
  metadata.set('x-request-id', `fuzz-${Date.now().toString(36)}`);
  if (secret && audience) {
    const signer = new CallerSigner({ secrets: [secret], issuer: 'fuzz' });
    const admin = userCaller('fuzz-admin', { role: 'admin', permissions: ['chat.delete', 'chat.edit'] });
    metadata.set(CALLER_METADATA_KEY, await signer.sign(admin, audience));
  }
  return metadata;
}

/** A message with `text` in every string field (two levels down), encoded as the wire would carry it. */
export function messageWithStrings(schema: DescMessage, text: string, depth = 0): Record<string, unknown> {
  const init: Record<string, unknown> = {};
  for (const field of schema.fields) {
    if (field.oneof) continue;
    if (field.fieldKind === 'scalar' && field.scalar === ScalarType.STRING) init[field.localName] = text;
    else if (field.fieldKind === 'list' && field.listKind === 'scalar' && field.scalar === ScalarType.STRING)
      init[field.localName] = [text, text];
    else if (field.fieldKind === 'message' && depth < 2)
      init[field.localName] = messageWithStrings(field.message, text, depth + 1);
  }
  return init;
}

export function encodeWithStrings(method: DescMethod, text: string): Buffer {
  return Buffer.from(
    toBinary(method.input, create(method.input, messageWithStrings(method.input, text) as never)),
  );
}

/** Field 1..3 as length-delimited values holding invalid UTF-8: what protobuf-es never writes itself. */
export function invalidUtf8Message(): Buffer {
  const payload = Buffer.from([0x61, 0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0x00, 0x62]);
  return Buffer.concat(
    [1, 2, 3].map((field) => Buffer.concat([Buffer.from([(field << 3) | 2, payload.length]), payload])),
  );
}

export interface CallOutcome {
  code: number;
  details: string;
  /** The failure itself, for its status details. */
  error?: ServiceError;
}

const identity = (b: Buffer) => b;

/**
 * Calls one method with raw request bytes (passthrough serialisers), whatever its kind; a client stream
 * sends each of `bytes` when given several.
 */
export function callRaw(
  client: Client,
  service: DescService,
  method: DescMethod,
  bytes: Buffer | Buffer[],
  deadlineMs: number,
  metadata: Metadata,
): Promise<CallOutcome> {
  const path = `/${service.typeName}/${method.name}`;
  const deadline = Date.now() + deadlineMs;
  return new Promise((resolve) => {
    const done = (error: ServiceError | null) =>
      resolve(error ? { code: error.code, details: error.details, error } : { code: status.OK, details: '' });
    const messages = Array.isArray(bytes) ? bytes : [bytes];
    if (method.methodKind === 'unary') {
      client.makeUnaryRequest(path, identity, identity, messages[0]!, metadata, { deadline }, (error) =>
        done(error),
      );
    } else if (method.methodKind === 'server_streaming') {
      const call = client.makeServerStreamRequest(path, identity, identity, messages[0]!, metadata, {
        deadline,
      });
      call.on('data', () => undefined);
      call.on('error', (error: ServiceError) => done(error));
      call.on('end', () => done(null));
    } else {
      const call = client.makeBidiStreamRequest(path, identity, identity, metadata, { deadline });
      call.on('data', () => undefined);
      call.on('error', (error: ServiceError) => done(error));
      call.on('end', () => done(null));
      for (const message of messages) call.write(message);
      call.end();
    }
  });
}

export function rawClient(target: string): Client {
  return new Client(target, credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
}

export const statusName = (code: number): string => status[code] ?? String(code);
