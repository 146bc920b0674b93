import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createPgAdapter, registerPostgresReadiness } from '@parley/database';
import { HealthRegistry } from '@parley/lifecycle';
import { PrismaClient } from '../generated/prisma/client';
import { AUTH_CONFIG, AuthConfig } from '../auth.config';

/** The auth schema's Prisma client; registers the PostgreSQL readiness check. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(AUTH_CONFIG) config: AuthConfig, @Inject(HealthRegistry) health: HealthRegistry) {
    super({ adapter: createPgAdapter(config) });
    registerPostgresReadiness(health, this);
  }

  onModuleDestroy(): Promise<void> {
    return this.$disconnect();
  }
}
