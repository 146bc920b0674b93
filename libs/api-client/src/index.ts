// The TypeScript client of Parley's public gRPC API (parley.api.v1): a small grpc-js client and the
// generated message types and service descriptors (protobuf-es v2) of every v1 service.
export { createParleyClient, parseTarget } from './parley-client';
export type { CallOptions, ParleyClient, ParleyClientOptions, ServiceClient } from './parley-client';
export { ParleyApiError } from './api-error';
export * as models from './gen/parley/api/v1/model_service_pb';
export * as chats from './gen/parley/api/v1/chat_service_pb';
export * as completions from './gen/parley/api/v1/completion_service_pb';
export * as knowledge from './gen/parley/api/v1/knowledge_service_pb';
export * as files from './gen/parley/api/v1/file_service_pb';
export * as admin from './gen/parley/api/v1/admin_service_pb';
