import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { ServiceRedis } from '@parley/redis';
import { RevocationPublisher } from '@parley/auth-guard';
import { HealthRegistry } from '@parley/lifecycle';
import { AUTH_CONFIG, AuthConfig, durationMs } from '../auth.config';

/** The auth service's Redis: where revocations are written and announced. */
@Injectable()
export class AuthRedis implements OnApplicationShutdown {
  private readonly redis: ServiceRedis;
  readonly client: Redis;
  readonly revocations: RevocationPublisher;

  constructor(@Inject(AUTH_CONFIG) config: AuthConfig, @Inject(HealthRegistry) health: HealthRegistry) {
    this.redis = new ServiceRedis(config, {
      name: 'parley-auth',
      registerHealth: (name, check) => health.register(name, check),
    });
    this.client = this.redis.client;
    this.revocations = new RevocationPublisher(this.client, durationMs(config.JWT_EXPIRES_IN));
  }

  onApplicationShutdown(): Promise<void> {
    return this.redis.close();
  }
}
