import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createPgAdapter, registerPostgresReadiness } from '@parley/database';
import { HealthRegistry } from '@parley/lifecycle';
import { PrismaClient } from '../generated/prisma/client';
import { CHAT_CONFIG, ChatConfig } from '../chat.config';

/** The chat schema's Prisma client; registers the PostgreSQL readiness check. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(CHAT_CONFIG) config: ChatConfig, @Inject(HealthRegistry) health: HealthRegistry) {
    super({ adapter: createPgAdapter(config) });
    registerPostgresReadiness(health, this);
  }

  onModuleDestroy(): Promise<void> {
    return this.$disconnect();
  }
}
