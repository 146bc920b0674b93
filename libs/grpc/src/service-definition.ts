import { DescMethod, DescService, fromBinary, toBinary } from '@bufbuild/protobuf';
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
        return new UndecodableRequest(method.input.typeName, error);
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
  ) {}
}
