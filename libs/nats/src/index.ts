export { NatsClient } from './nats-client';
export type { EventMeta, NatsClientOptions } from './nats-client';
export { NatsModule } from './nats.module';
