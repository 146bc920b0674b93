import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createPgAdapter, registerPostgresReadiness } from '@parley/database';
import { HealthRegistry } from '@parley/lifecycle';
import { PrismaClient } from '../generated/prisma/client';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';

/**
 * The model_gateway schema's Prisma client; registers the PostgreSQL readiness check. It disconnects in
 * the last shutdown phase, so work that writes on shutdown (the usage flush, beforeApplicationShutdown)
 * still has it.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(
    @Inject(MODEL_GATEWAY_CONFIG) config: ModelGatewayConfig,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    super({ adapter: createPgAdapter(config) });
    registerPostgresReadiness(health, this);
  }

  onApplicationShutdown(): Promise<void> {
    return this.$disconnect();
  }
}
