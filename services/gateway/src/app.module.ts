import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  apiKeyLookupVia,
  ApiKeyResolver,
  AUTHENTICATOR,
  AuthGuard,
  CALLER_PROFILES,
  CallerProfiles,
  CredentialAuthenticator,
  RevocationList,
  TokenAuthenticator,
  TokenVerifier,
} from '@parley/auth-guard';
import { LifecycleModule } from '@parley/lifecycle';
import { LOGGER, Logger } from '@parley/logging';
import { ApiDocsController } from './api-docs/api-docs.controller';
import { AppConfigController } from './app-config/app-config.controller';
import { InstanceSettings } from './app-config/instance-settings';
import { SignInOptions } from './app-config/sign-in-options';
import { RuntimeSettingsController } from './runtime-settings/runtime-settings.controller';
import { AuditModule } from './audit/audit.module';
import { AuthsController } from './auths/auths.controller';
import { ChatsController } from './chats/chats.controller';
import { DownstreamClients, GATEWAY } from './downstream/downstream-clients';
import { FilesController } from './files/files.controller';
import { EvaluationsController } from './evaluations/evaluations.controller';
import { FoldersController } from './folders/folders.controller';
import { GatewayRedis } from './downstream/redis.provider';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config';
import { GroupsController } from './groups/groups.controller';
import { GrpcApiServer } from './grpc-api/grpc-api.server';
import { FileDirectory } from './knowledge/file-directory';
import { KnowledgeController } from './knowledge/knowledge.controller';
import { RetrievalController } from './retrieval/retrieval.controller';
import { SignInRateLimit } from './rate-limit/sign-in-rate-limit';
import { UsersController } from './users/users.controller';
import { CompletionsController } from './completions/completions.controller';
import { TasksController } from './tasks/tasks.controller';
import { ModelsController } from './models/models.controller';
import { roleName } from './auths/user-json';
import { ModelCatalogClients } from './presets/model-catalog-clients';
import { PresetsController } from './presets/presets.controller';
import { PromptsController } from './prompts/prompts.controller';
import { UsageController } from './usage/usage.controller';
import { ConnectionsConfigController } from './upstream-proxy/connections-config.controller';
import { UpstreamProxyController } from './upstream-proxy/upstream-proxy.controller';

@Module({})
export class GatewayAppModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayAppModule,
      imports: [LifecycleModule.forRoot(), AuditModule.register(config)],
      controllers: [
        AppConfigController,
        RuntimeSettingsController,
        AuthsController,
        UsersController,
        GroupsController,
        ChatsController,
        FoldersController,
        EvaluationsController,
        FilesController,
        KnowledgeController,
        RetrievalController,
        ModelsController,
        PresetsController,
        PromptsController,
        UsageController,
        CompletionsController,
        TasksController,
        // Before the pass-through, whose /openai/* and /ollama/* would otherwise take the config routes.
        ConnectionsConfigController,
        UpstreamProxyController,
        ApiDocsController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        DownstreamClients,
        SignInOptions,
        InstanceSettings,
        GatewayRedis,
        {
          provide: TokenVerifier,
          inject: [DownstreamClients],
          useFactory: (downstream: DownstreamClients) =>
            new TokenVerifier({
              fetchJwks: async () =>
                JSON.parse((await downstream.auth.getJwks({}, { caller: GATEWAY })).jwksJson),
            }),
        },
        {
          provide: RevocationList,
          inject: [GatewayRedis],
          useFactory: (redis: GatewayRedis) => {
            // Not awaited: with Redis down at start the subscription completes when it is back.
            const list = new RevocationList(redis.client, redis.subscriber);
            void list.start();
            return list;
          },
        },
        {
          provide: CALLER_PROFILES,
          inject: [DownstreamClients, RevocationList],
          useFactory: (downstream: DownstreamClients, revocations: RevocationList) =>
            new CallerProfiles({
              revocations,
              fetch: async (id) => {
                const profile = await downstream.auth.getCallerProfile({ id }, { caller: GATEWAY });
                return {
                  role: roleName(profile.role),
                  groupIds: profile.groupIds,
                  permissions: profile.permissions,
                };
              },
            }),
        },
        {
          provide: AUTHENTICATOR,
          inject: [TokenVerifier, RevocationList, DownstreamClients],
          useFactory: (verifier: TokenVerifier, revocations: RevocationList, downstream: DownstreamClients) =>
            new CredentialAuthenticator(
              new TokenAuthenticator(verifier, revocations),
              new ApiKeyResolver(
                apiKeyLookupVia((request) =>
                  downstream.auth.authenticateApiKey(request, { caller: GATEWAY }),
                ),
                revocations,
              ),
              {
                enabled: config.ENABLE_API_KEY_ENDPOINT_RESTRICTIONS,
                allowedEndpoints: config.API_KEY_ALLOWED_ENDPOINTS,
              },
            ),
        },
        SignInRateLimit,
        { provide: APP_GUARD, useClass: AuthGuard },
        ModelCatalogClients,
        FileDirectory,
        GrpcApiServer,
      ],
    };
  }
}
