import { DynamicModule, Module } from '@nestjs/common';
import { GrpcServerHost } from '@parley/grpc';
import { LifecycleModule } from '@parley/lifecycle';
import { LOGGER, Logger } from '@parley/logging';
import { NatsModule, natsSubjectPrefix } from '@parley/nats';
import { ChatFilesService } from './chat-files/chat-files.service';
import { ChatRetrievalService } from './chat-files/chat-retrieval.service';
import { FilesClient } from './chat-files/files.client';
import { RetrievalClient } from './chat-files/retrieval.client';
import { ChatStoreClient } from './chat-tasks/chat-store.client';
import { ChatTaskGrpcHandlers } from './chat-tasks/chat-task-grpc.handlers';
import { ChatTaskRunner } from './chat-tasks/chat-task.runner';
import { ChatTaskSweeper } from './chat-tasks/chat-task.sweeper';
import { ChatTasksService } from './chat-tasks/chat-tasks.service';
import { TaskRegistryRepository } from './chat-tasks/task-registry.repository';
import { TitleGenerator } from './chat-tasks/title-generator';
import { CompletionsService } from './completions/completions.service';
import { UpstreamRouter } from './completions/upstream-router';
import { ConnectionsRepository } from './connections/connections.repository';
import { ConnectionsService } from './connections/connections.service';
import { PrismaService } from './database/prisma.service';
import { ModelGatewayGrpcHandlers } from './grpc/model-gateway-grpc.handlers';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from './model-gateway.config';
import { ModelsCacheRepository } from './models/models-cache.repository';
import { ModelsService } from './models/models.service';
import { ModelGatewayRedis } from './redis/model-gateway-redis';
import { UpstreamProxyService } from './upstream-proxy/upstream-proxy.service';
import { UpstreamHttpClient } from './upstream/upstream-http.client';
import { PresetsRepository } from './presets/presets.repository';
import { PresetsService } from './presets/presets.service';
import { PresetsGrpcHandlers } from './presets/presets-grpc.handlers';
import { PromptsRepository } from './prompts/prompts.repository';
import { PromptsService } from './prompts/prompts.service';
import { PromptsGrpcHandlers } from './prompts/prompts-grpc.handlers';
import { TaskConfigService } from './tasks/task-config.service';
import { TasksGrpcHandlers } from './tasks/tasks-grpc.handlers';
import { TasksService } from './tasks/tasks.service';
import { UsageAccumulator, USAGE_SINK } from './usage/usage-accumulator';
import { UsageRepository } from './usage/usage.repository';
import { UsageService } from './usage/usage.service';
import { UsageGrpcHandlers } from './usage/usage-grpc.handlers';
import { QuotaService } from './quotas/quota.service';
import { RequestWindowRepository } from './quotas/request-window.repository';

/**
 * The model gateway: connections to upstream LLM servers, the merged model list, chat completions
 * (streamed and not) and the /openai, /ollama pass-through, served over gRPC to the gateway.
 */
@Module({})
export class ModelGatewayAppModule {
  static register(config: ModelGatewayConfig, logger: Logger, grpcHost: GrpcServerHost): DynamicModule {
    return {
      module: ModelGatewayAppModule,
      imports: [
        LifecycleModule.forRoot(),
        NatsModule.forRoot({
          url: config.NATS_URL,
          name: `model-gateway-${process.pid}`,
          logger,
          subjectPrefix: natsSubjectPrefix(config),
        }),
      ],
      providers: [
        { provide: MODEL_GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: GrpcServerHost, useValue: grpcHost },
        PrismaService,
        ModelGatewayRedis,
        ConnectionsRepository,
        ConnectionsService,
        ModelsCacheRepository,
        ModelsService,
        UpstreamHttpClient,
        UpstreamRouter,
        FilesClient,
        RetrievalClient,
        ChatRetrievalService,
        ChatFilesService,
        CompletionsService,
        UpstreamProxyService,
        ModelGatewayGrpcHandlers,
        PresetsRepository,
        PresetsService,
        PresetsGrpcHandlers,
        PromptsRepository,
        PromptsService,
        PromptsGrpcHandlers,
        TaskConfigService,
        TasksService,
        TasksGrpcHandlers,
        UsageRepository,
        { provide: USAGE_SINK, useExisting: UsageRepository },
        UsageAccumulator,
        UsageService,
        UsageGrpcHandlers,
        RequestWindowRepository,
        QuotaService,
        ChatStoreClient,
        TaskRegistryRepository,
        TitleGenerator,
        ChatTaskRunner,
        ChatTaskSweeper,
        ChatTasksService,
        ChatTaskGrpcHandlers,
      ],
    };
  }
}
