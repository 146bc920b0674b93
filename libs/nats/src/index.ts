export { NatsClient } from './nats-client';
export type { EventMeta, NatsClientOptions } from './nats-client';
export { NatsModule } from './nats.module';
export type {
  DeliveryOutcome,
  DurableConsumer,
  DurableConsumerSpec,
  DurableConsumption,
  DurableMessage,
  DurableStreamSpec,
} from './durable-consumer';
export {
  decodeEvent,
  encodeEvent,
  event,
  eventFamily,
  EVENT_VERSION,
  EVENTS,
  EventShapeError,
  type EventFamily,
  type EventSpec,
} from './event-subjects';
export { STREAMS, workQueue } from './streams';
export { CachedTable } from './cached-table';
export { natsEnv, natsSubjectPrefix, SubjectNamespace } from './subject-namespace';
