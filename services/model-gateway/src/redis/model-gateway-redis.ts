import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { ServiceRedis } from '@parley/redis';
import { HealthRegistry } from '@parley/lifecycle';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';

/** This service's Redis connection (tasks, quotas, the model-list cache) and its readiness check. */
@Injectable()
export class ModelGatewayRedis implements OnApplicationShutdown {
  private readonly redis: ServiceRedis;
  readonly client: Redis;

  constructor(
    @Inject(MODEL_GATEWAY_CONFIG) config: ModelGatewayConfig,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    this.redis = new ServiceRedis(config, {
      name: 'parley-model-gateway',
      registerHealth: (name, check) => health.register(name, check),
    });
    this.client = this.redis.client;
  }

  onApplicationShutdown(): Promise<void> {
    return this.redis.close();
  }
}
