import { readFileSync } from 'node:fs';
import type { DescService } from '@bufbuild/protobuf';
import { ServerCredentials, status } from '@grpc/grpc-js';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AUTHENTICATOR, CALLER_PROFILES, type Authenticator, type CallerProfiles } from '@parley/auth-guard';
import { ErrorKind } from '@parley/errors';
import { GrpcServerHost } from '@parley/grpc';
import { LOGGER, type Logger } from '@parley/logging';
import {
  apiV1Admin,
  apiV1Chats,
  apiV1Completions,
  apiV1Files,
  apiV1Knowledge,
  apiV1Models,
} from '@parley/proto';
import { AuditLog } from '../audit/audit-log';
import { DownstreamClients } from '../downstream/downstream-clients';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { BearerCallAuthenticator } from './bearer-call-authenticator';
import { chatHandlers } from './chat.handlers';
import { completionHandlers } from './completion.handlers';
import { fileHandlers } from './file.handlers';
import { knowledgeHandlers } from './knowledge.handlers';
import { modelHandlers } from './model.handlers';
import { ModelCatalogClients } from '../presets/model-catalog-clients';
import { adminAuditParams, adminHandlers } from './admin.handlers';
import { withAuditLines } from './grpc-audit';
import { addReflection } from './reflection';

/** Every service of parley.api.v1 this gateway serves. */
export const PUBLIC_API_SERVICES: DescService[] = [
  apiV1Models.ModelService,
  apiV1Chats.ChatService,
  apiV1Completions.CompletionService,
  apiV1Knowledge.KnowledgeService,
  apiV1Files.FileService,
  apiV1Admin.AdminService,
];

/**
 * The public gRPC API (docs/grpc-api.md) on GRPC_API_PORT: the same server host as the internal
 * services (request context, spans, call log, error details, unsafe-input checks, drain), but each call
 * authenticated by its own Bearer credentials, plus grpc.health.v1 and server reflection.
 */
@Injectable()
export class GrpcApiServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly host: GrpcServerHost;
  private draining?: Promise<unknown>;
  private listening = false;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(AUTHENTICATOR) authenticator: Authenticator,
    @Inject(CALLER_PROFILES) profiles: CallerProfiles,
    @Inject(DownstreamClients) downstream: DownstreamClients,
    @Inject(ModelCatalogClients) catalog: ModelCatalogClients,
    @Inject(AuditLog) audit: AuditLog,
  ) {
    this.host = new GrpcServerHost(logger, {
      callers: new BearerCallAuthenticator(authenticator, profiles),
      // A file over RAG_FILE_MAX_SIZE or the quota: what gRPC itself answers for a too-large message.
      statusOverrides: { [ErrorKind.PayloadTooLarge]: status.RESOURCE_EXHAUSTED },
      serverOptions: {
        // gRPC's usual limit: prompts are far smaller, and uploads come in chunks (FileService).
        'grpc.max_receive_message_length': 4 * 1024 * 1024,
        // Pings on idle connections, so a dead peer behind a NAT is noticed and its streams end.
        'grpc.keepalive_time_ms': 120_000,
        'grpc.keepalive_timeout_ms': 20_000,
      },
    });
    this.host.addService(apiV1Models.ModelService, modelHandlers(downstream, catalog));
    // State-changing calls write the audit line REST writes for the same action (AUDIT_LOG_LEVEL).
    this.host.addService(
      apiV1Chats.ChatService,
      withAuditLines(apiV1Chats.ChatService, chatHandlers(downstream), audit, {
        createChat: () => ({}),
        updateChat: (r: apiV1Chats.UpdateChatRequest) => ({ id: r.chat?.id ?? '' }),
        deleteChat: (r: apiV1Chats.DeleteChatRequest) => ({ id: r.id }),
        appendMessage: (r: apiV1Chats.AppendMessageRequest) => ({ id: r.chatId }),
      }),
    );
    this.host.addService(
      apiV1Completions.CompletionService,
      completionHandlers(downstream, config.COMPLETION_DEADLINE_MS, logger),
    );
    this.host.addService(
      apiV1Knowledge.KnowledgeService,
      withAuditLines(apiV1Knowledge.KnowledgeService, knowledgeHandlers(downstream), audit, {
        createKnowledgeBase: () => ({}),
        addFile: (r: apiV1Knowledge.AddFileRequest) => ({ id: r.knowledgeBaseId, file_id: r.fileId }),
      }),
    );
    this.host.addService(
      apiV1Files.FileService,
      withAuditLines(
        apiV1Files.FileService,
        fileHandlers(downstream, {
          transferDeadlineMs: config.FILES_TRANSFER_DEADLINE_MS,
          maxSizeMb: config.RAG_FILE_MAX_SIZE,
        }),
        audit,
        { deleteFile: (r: apiV1Files.DeleteFileRequest) => ({ id: r.id }) },
      ),
    );
    this.host.addService(
      apiV1Admin.AdminService,
      withAuditLines(apiV1Admin.AdminService, adminHandlers(downstream, catalog), audit, adminAuditParams),
    );
    addReflection(this.host.server, PUBLIC_API_SERVICES);
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = await this.host.listen(this.config.GRPC_API_PORT, this.config.HOST, this.credentials());
    this.listening = true;
    this.host.setServing(true);
    this.logger.info(
      { grpcApiPort: port, tls: Boolean(this.config.GRPC_API_TLS_CERT_FILE) },
      'public gRPC API listening',
    );
  }

  /** Starts the drain with the shutdown budget (from the gateway's beforeDrain), beside the HTTP drain. */
  startDrain(budgetMs: number): void {
    if (this.listening) this.draining ??= this.host.drain(budgetMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.listening) return;
    this.startDrain(1_000);
    await this.draining;
  }

  private credentials(): ServerCredentials {
    const { GRPC_API_TLS_CERT_FILE: certFile, GRPC_API_TLS_KEY_FILE: keyFile } = this.config;
    if (!certFile && !keyFile) return ServerCredentials.createInsecure();
    if (!certFile || !keyFile)
      throw new Error('GRPC_API_TLS_CERT_FILE and GRPC_API_TLS_KEY_FILE: set both for TLS, or neither.');
    return ServerCredentials.createSsl(
      null,
      [{ cert_chain: readFileSync(certFile), private_key: readFileSync(keyFile) }],
      false,
    );
  }
}
