import { DynamicModule, Module } from '@nestjs/common';
import { GrpcServerHost } from '@parley/grpc';
import { LifecycleModule } from '@parley/lifecycle';
import { LOGGER, Logger } from '@parley/logging';
import { NatsModule, natsSubjectPrefix } from '@parley/nats';
import { PrismaService } from './database/prisma.service';
import { ExtractionWorker } from './extraction/extraction.worker';
import { FILES_CONFIG, FilesConfig } from './files.config';
import { FileEvents } from './files/file-events';
import { FilesRepository } from './files/files.repository';
import { FilesService } from './files/files.service';
import { FilesGrpcHandlers } from './grpc/files-grpc.handlers';
import { createStorageProvider } from './storage/storage.factory';
import { STORAGE_PROVIDER } from './storage/storage-provider';
import { OrphanSweeper } from './sweeper/orphan-sweeper';

/** The files service: uploads into a storage provider, durable text extraction, deletion and the sweeper. */
@Module({})
export class FilesAppModule {
  static register(config: FilesConfig, logger: Logger, grpcHost: GrpcServerHost): DynamicModule {
    return {
      module: FilesAppModule,
      imports: [
        LifecycleModule.forRoot(),
        NatsModule.forRoot({
          url: config.NATS_URL,
          name: `files-${process.pid}`,
          logger,
          subjectPrefix: natsSubjectPrefix(config),
        }),
      ],
      providers: [
        { provide: FILES_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: GrpcServerHost, useValue: grpcHost },
        { provide: STORAGE_PROVIDER, useFactory: () => createStorageProvider(config) },
        PrismaService,
        FilesRepository,
        FileEvents,
        FilesService,
        ExtractionWorker,
        OrphanSweeper,
        FilesGrpcHandlers,
      ],
    };
  }
}
