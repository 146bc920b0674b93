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
