import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { createRedis } from '@parley/redis';
import { HealthRegistry } from '@parley/lifecycle';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';

/** This service's Redis connection (the model-list cache) and its readiness check. */
@Injectable()
export class ModelGatewayRedis implements OnApplicationShutdown {
  readonly client: Redis;

  constructor(
    @Inject(MODEL_GATEWAY_CONFIG) config: ModelGatewayConfig,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    // Fail fast while Redis is down: the model list is then fetched from the upstreams directly.
    this.client = createRedis(config, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectionName: 'parley-model-gateway',
    });
    this.client.on('error', () => undefined);
    health.register('redis', async () => (await this.client.ping()) === 'PONG');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
