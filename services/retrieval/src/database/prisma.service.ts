import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createPgAdapter, registerPostgresReadiness } from '@parley/database';
import { HealthRegistry } from '@parley/lifecycle';
import { PrismaClient } from '../generated/prisma/client';
import { RETRIEVAL_CONFIG, RetrievalConfig } from '../retrieval.config';

/** The retrieval schema's Prisma client; registers the PostgreSQL readiness check. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(
    @Inject(RETRIEVAL_CONFIG) config: RetrievalConfig,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    super({ adapter: createPgAdapter(config) });
    registerPostgresReadiness(health, this);
  }

  onModuleDestroy(): Promise<void> {
    return this.$disconnect();
  }
}
