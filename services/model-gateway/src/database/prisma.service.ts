import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createPgAdapter, registerPostgresReadiness } from '@parley/database';
import { HealthRegistry } from '@parley/lifecycle';
import { PrismaClient } from '../generated/prisma/client';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';

/** The model_gateway schema's Prisma client; registers the PostgreSQL readiness check. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(
    @Inject(MODEL_GATEWAY_CONFIG) config: ModelGatewayConfig,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    super({ adapter: createPgAdapter(config) });
    registerPostgresReadiness(health, this);
  }

  onModuleDestroy(): Promise<void> {
    return this.$disconnect();
  }
}
