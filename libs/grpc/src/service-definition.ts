import { DescMessage, DescMethod, DescService, ScalarType, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/**
 * protoc-gen-es v2 emits message schemas and service descriptors, not @grpc/grpc-js stubs. This turns a
 * descriptor into the definition grpc-js wants, with protobuf-es doing the (de)serialisation, so every
 * server and client in the project speaks the generated contracts directly.
 */
export function toGrpcServiceDefinition(service: DescService): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    definition[method.localName] = toGrpcMethodDefinition(service, method);
  }
  return definition as ServiceDefinition;
}

function toGrpcMethodDefinition(
  service: DescService,
  method: DescMethod,
): MethodDefinition<unknown, unknown> {
  return {
    path: `/${service.typeName}/${method.name}`,
    originalName: method.name,
    requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
    responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
    requestSerialize: (message) => Buffer.from(toBinary(method.input, message as never)),
    // grpc-js answers a throwing deserializer with INTERNAL; the host turns this marker into INVALID_ARGUMENT.
    requestDeserialize: (bytes) => {
      try {
        return fromBinary(method.input, bytes);
      } catch (error) {
        return new UndecodableRequest(method.input.typeName, error, invalidUtf8Field(method.input, bytes));
      }
    },
    responseSerialize: (message) => Buffer.from(toBinary(method.output, message as never)),
    responseDeserialize: (bytes) => fromBinary(method.output, bytes),
  };
}

/** A request whose bytes are not a valid message of the method's input type (invalid protobuf or UTF-8). */
export class UndecodableRequest {
  constructor(
    readonly typeName: string,
    readonly cause: unknown,
    /** The string field whose bytes are not UTF-8 (`messages[1].content`), when that is what is wrong. */
    readonly invalidUtf8Field?: string,
  ) {}
}

/**
 * The path of the first string field (as the proto names it, nested messages and list positions
 * included) whose bytes are not valid UTF-8, e.g. a lone surrogate a client library wrote as is. The
 * decoder only says "not valid UTF-8"; this walks the wire format to say where. Undefined when the
 * bytes are broken some other way.
 */
export function invalidUtf8Field(schema: DescMessage, bytes: Uint8Array, depth = 0): string | undefined {
  if (depth > 32) return undefined;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const seen = new Map<number, number>();
  try {
    const reader = new BinaryReader(bytes);
    while (reader.pos < reader.len) {
      const [number, wireType] = reader.tag();
      const field = schema.fields.find((f) => f.number === number);
      if (wireType !== WireType.LengthDelimited || !field) {
        reader.skip(wireType, number);
        continue;
      }
      const data = reader.bytes();
      const index = seen.get(number) ?? 0;
      seen.set(number, index + 1);
      const path = field.fieldKind === 'list' ? `${field.name}[${index}]` : field.name;
      const text =
        (field.fieldKind === 'scalar' || field.fieldKind === 'list') && field.scalar === ScalarType.STRING;
      const message =
        field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message')
          ? field.message
          : undefined;
      if (text) {
        try {
          utf8.decode(data);
        } catch {
          return path;
        }
      } else if (message) {
        const inner = invalidUtf8Field(message, data, depth + 1);
        if (inner) return `${path}.${inner}`;
      }
    }
  } catch {
    // Broken framing: not a UTF-8 problem of one field.
  }
  return undefined;
}
