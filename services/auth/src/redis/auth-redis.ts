import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { createRedis } from '@parley/redis';
import { RevocationPublisher } from '@parley/auth-guard';
import { HealthRegistry } from '@parley/lifecycle';
import { AUTH_CONFIG, AuthConfig, durationMs } from '../auth.config';

/** The auth service's Redis: where revocations are written and announced. */
@Injectable()
export class AuthRedis implements OnApplicationShutdown {
  readonly client: Redis;
  readonly revocations: RevocationPublisher;

  constructor(@Inject(AUTH_CONFIG) config: AuthConfig, @Inject(HealthRegistry) health: HealthRegistry) {
    this.client = createRedis(config, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectionName: 'parley-auth',
    });
    this.client.on('error', () => undefined); // reconnects by itself; readiness reports the outage
    this.revocations = new RevocationPublisher(this.client, durationMs(config.JWT_EXPIRES_IN));
    health.register('redis', async () => (await this.client.ping()) === 'PONG');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
