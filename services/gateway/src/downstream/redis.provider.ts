import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { ServiceRedis } from '@parley/redis';
import { HealthRegistry } from '@parley/lifecycle';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';

/** The gateway's Redis (rate-limit windows, token revocation, its subscription); its readiness check. */
@Injectable()
export class GatewayRedis implements OnApplicationShutdown {
  private readonly redis: ServiceRedis;
  readonly client: Redis;
  readonly subscriber: Redis;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, @Inject(HealthRegistry) health: HealthRegistry) {
    this.redis = new ServiceRedis(config, {
      name: 'parley-gateway',
      subscriber: true,
      registerHealth: (name, check) => health.register(name, check),
    });
    this.client = this.redis.client;
    this.subscriber = this.redis.subscriber!;
  }

  onApplicationShutdown(): Promise<void> {
    return this.redis.close();
  }
}
