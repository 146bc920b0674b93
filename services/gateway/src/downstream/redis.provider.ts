import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { createRedis } from '@parley/redis';
import { HealthRegistry } from '@parley/lifecycle';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';

/** The gateway's Redis (rate-limit windows, token revocation); its readiness check. */
@Injectable()
export class GatewayRedis implements OnApplicationShutdown {
  readonly client: Redis;
  /** A second connection for pub/sub (a subscribed connection can do nothing else). */
  readonly subscriber: Redis;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, @Inject(HealthRegistry) health: HealthRegistry) {
    // Fail fast while Redis is down (readiness says so) instead of queueing commands without bound.
    this.client = createRedis(config, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectionName: 'parley-gateway',
    });
    this.client.on('error', () => undefined); // reconnects on its own; readiness reports the outage
    this.subscriber = createRedis(config, { connectionName: 'parley-gateway-sub' });
    this.subscriber.on('error', () => undefined);
    health.register('redis', async () => (await this.client.ping()) === 'PONG');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
