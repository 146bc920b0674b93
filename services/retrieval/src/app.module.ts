import { DynamicModule, Module } from '@nestjs/common';
import { GrpcServerHost } from '@parley/grpc';
import { LifecycleModule } from '@parley/lifecycle';
import { LOGGER, Logger } from '@parley/logging';
import { NatsModule, natsSubjectPrefix } from '@parley/nats';
import { PrismaService } from './database/prisma.service';
import { RetrievalEvents } from './events/retrieval-events';
import { FilesClient } from './files/files.client';
import { Indexer } from './indexing/indexer';
import { IndexWorker } from './indexing/index.worker';
import { ModelServerClient } from './indexing/model-server.client';
import { KnowledgeRepository } from './knowledge/knowledge.repository';
import { KnowledgeService } from './knowledge/knowledge.service';
import { RetrievalGrpcHandlers } from './grpc/retrieval-grpc.handlers';
import { RETRIEVAL_CONFIG, RetrievalConfig } from './retrieval.config';
import { ContextBuilder } from './search/context-builder';
import { SearchService } from './search/search.service';
import { ReindexService } from './settings/reindex.service';
import { RetrievalSettingsService } from './settings/retrieval-settings';
import { vectorStoreProvider } from './vector-store/vector-store.provider';

/**
 * The retrieval service: knowledge bases, durable indexing of processed files into the vector store,
 * hybrid search and the context a grounded answer is built on (docs/retrieval.md).
 */
@Module({})
export class RetrievalAppModule {
  static register(config: RetrievalConfig, logger: Logger, grpcHost: GrpcServerHost): DynamicModule {
    return {
      module: RetrievalAppModule,
      imports: [
        LifecycleModule.forRoot(),
        NatsModule.forRoot({
          url: config.NATS_URL,
          name: `retrieval-${process.pid}`,
          logger,
          subjectPrefix: natsSubjectPrefix(config),
        }),
      ],
      providers: [
        { provide: RETRIEVAL_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: GrpcServerHost, useValue: grpcHost },
        vectorStoreProvider,
        PrismaService,
        RetrievalSettingsService,
        ModelServerClient,
        FilesClient,
        KnowledgeRepository,
        RetrievalEvents,
        Indexer,
        IndexWorker,
        KnowledgeService,
        SearchService,
        ContextBuilder,
        ReindexService,
        RetrievalGrpcHandlers,
      ],
    };
  }
}
