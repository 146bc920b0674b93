// The generated contracts (proto/ → buf generate → ./gen). Import from here, never from ./gen directly.
export * as authV1 from './gen/parley/auth/v1/auth_service_pb';
export * as chatV1 from './gen/parley/chat/v1/chat_service_pb';
export * as modelGatewayV1 from './gen/parley/modelgateway/v1/model_gateway_service_pb';
export * as chatTasksV1 from './gen/parley/modelgateway/v1/chat_tasks_pb';
export * as presetsV1 from './gen/parley/modelgateway/v1/presets_pb';
export * as usageV1 from './gen/parley/modelgateway/v1/usage_pb';
export * as promptsV1 from './gen/parley/modelgateway/v1/prompts_pb';
export * as tasksV1 from './gen/parley/modelgateway/v1/tasks_pb';
export * as eventsV1 from './events';
export * as filesV1 from './gen/parley/files/v1/files_service_pb';
export * as fileEventsV1 from './gen/parley/events/v1/file_events_pb';
export * as retrievalV1 from './gen/parley/retrieval/v1/retrieval_service_pb';
// The standard rich error model (google.rpc.Status with ErrorInfo), carried in gRPC status details.
export * as googleRpc from './google-rpc';
// The public API (parley.api.v1, docs/grpc-api.md): stable and versioned, unlike the internal contracts.
export * as apiV1Models from './gen/parley/api/v1/model_service_pb';
export * as apiV1Chats from './gen/parley/api/v1/chat_service_pb';
export * as apiV1Completions from './gen/parley/api/v1/completion_service_pb';
export * as apiV1Knowledge from './gen/parley/api/v1/knowledge_service_pb';
export * as apiV1Files from './gen/parley/api/v1/file_service_pb';
export * as apiV1Admin from './gen/parley/api/v1/admin_service_pb';
