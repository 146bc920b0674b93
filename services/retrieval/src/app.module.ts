import { DynamicModule, Module } from '@nestjs/common';
import { LifecycleModule } from '@parley/lifecycle';
import { LOGGER, Logger } from '@parley/logging';
import { NatsModule } from '@parley/nats';
import { PrismaService } from './database/prisma.service';
import { RETRIEVAL_CONFIG, RetrievalConfig } from './retrieval.config';

/**
 * The retrieval service so far: its database schema, event bus connection, health, metrics and gRPC
 * health. Its features arrive with their issues (see the README's status table).
 */
@Module({})
export class RetrievalAppModule {
  static register(config: RetrievalConfig, logger: Logger): DynamicModule {
    return {
      module: RetrievalAppModule,
      imports: [
        LifecycleModule.forRoot(),
        NatsModule.forRoot({ url: config.NATS_URL, name: `retrieval-${process.pid}`, logger }),
      ],
      providers: [
        { provide: RETRIEVAL_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        PrismaService,
      ],
    };
  }
}
