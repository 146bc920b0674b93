import { DynamicModule, Module } from '@nestjs/common';
import { LifecycleModule } from '@parley/lifecycle';
import { LOGGER, Logger } from '@parley/logging';
import { NatsModule } from '@parley/nats';
import { PrismaService } from './database/prisma.service';
import { FILES_CONFIG, FilesConfig } from './files.config';

/**
 * The files service so far: its database schema, event bus connection, health, metrics and gRPC
 * health. Its features arrive with their issues (see the README's status table).
 */
@Module({})
export class FilesAppModule {
  static register(config: FilesConfig, logger: Logger): DynamicModule {
    return {
      module: FilesAppModule,
      imports: [
        LifecycleModule.forRoot(),
        NatsModule.forRoot({ url: config.NATS_URL, name: `files-${process.pid}`, logger }),
      ],
      providers: [
        { provide: FILES_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        PrismaService,
      ],
    };
  }
}
