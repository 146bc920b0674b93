import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { HealthRegistry } from '@parley/lifecycle';
import { NatsClient, NatsClientOptions } from './nats-client';

@Injectable()
class NatsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(NatsClient) private readonly client: NatsClient,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    health.register('nats', () => client.isConnected());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.drain();
  }
}

/** The process's NATS connection as a provider, with its readiness check and drain on shutdown. */
@Global()
@Module({})
export class NatsModule {
  static forRoot(options: NatsClientOptions): DynamicModule {
    return {
      module: NatsModule,
      providers: [{ provide: NatsClient, useFactory: () => new NatsClient(options) }, NatsLifecycle],
      exports: [NatsClient],
    };
  }
}
