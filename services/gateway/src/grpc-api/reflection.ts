import { toBinary, type DescFile, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type { Server } from '@grpc/grpc-js';

/**
 * Server reflection (grpc.reflection.v1 and v1alpha, so grpcurl and Postman discover the API) from the
 * descriptors protoc-gen-es embeds: @grpc/reflection reads the serialised FileDescriptorProtos of a
 * proto-loader package definition, which is all this builds, for the services and every file they import.
 */
export function addReflection(server: Server, services: DescService[]): void {
  const files = new Map<string, DescFile>();
  const visit = (file: DescFile) => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    file.dependencies.forEach(visit);
  };
  services.forEach((service) => visit(service.file));
  const fileDescriptorProtos = [...files.values()].map((file) =>
    Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto)),
  );
  const definition = Object.fromEntries(
    services.map((service) => [service.typeName, { fileDescriptorProtos }]),
  ) as unknown as PackageDefinition;
  new ReflectionService(definition, { services: services.map((s) => s.typeName) }).addToServer(server);
}
