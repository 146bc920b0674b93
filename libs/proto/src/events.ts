// The event payloads (proto/parley/events/v1), one module for all their files. Which subject carries
// which message: libs/nats (`EVENTS`).
export * from './gen/parley/events/v1/auth_events_pb';
export * from './gen/parley/events/v1/chat_events_pb';
export * from './gen/parley/events/v1/completion_events_pb';
export * from './gen/parley/events/v1/file_events_pb';
export * from './gen/parley/events/v1/model_gateway_events_pb';
export * from './gen/parley/events/v1/realtime_events_pb';
export * from './gen/parley/events/v1/task_events_pb';
export * from './gen/parley/events/v1/retrieval_events_pb';
