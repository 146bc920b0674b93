import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { callerSigning, createGrpcClient, serviceCaller, ServiceClient } from '@parley/grpc';
import { authV1, chatTasksV1, chatV1, filesV1, modelGatewayV1, retrievalV1 } from '@parley/proto';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';

type AuthMethods = typeof authV1.AuthService extends { method: infer M } ? M : never;
type ChatMethods = typeof chatV1.ChatService extends { method: infer M } ? M : never;
type ModelGatewayMethods = typeof modelGatewayV1.ModelGatewayService extends { method: infer M } ? M : never;
type ChatTaskMethods = typeof chatTasksV1.ChatTaskService extends { method: infer M } ? M : never;
type FilesMethods = typeof filesV1.FilesService extends { method: infer M } ? M : never;
type RetrievalMethods = typeof retrievalV1.RetrievalService extends { method: infer M } ? M : never;

/** The gateway's own identity, for calls that act for nobody yet (sign-in, token keys, API key lookups). */
export const GATEWAY = serviceCaller('gateway');

/**
 * The gRPC clients of the services behind the gateway. Every call names its caller: the request's user
 * (`{ caller: req.caller }`) or GATEWAY; a call that names none fails before it is sent.
 */
@Injectable()
export class DownstreamClients implements OnApplicationShutdown {
  readonly auth: ServiceClient<AuthMethods>;
  readonly chat: ServiceClient<ChatMethods>;
  readonly modelGateway: ServiceClient<ModelGatewayMethods>;
  /** Chat tasks, served by model-gateway. */
  readonly chatTasks: ServiceClient<ChatTaskMethods>;
  readonly files: ServiceClient<FilesMethods>;
  readonly retrieval: ServiceClient<RetrievalMethods>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const deadlineMs = config.GRPC_DEADLINE_MS;
    this.auth = createGrpcClient(authV1.AuthService, config.AUTH_GRPC_URL, {
      deadlineMs,
      peerName: 'auth',
      signing: callerSigning(config, 'gateway', 'auth'),
    });
    this.chat = createGrpcClient(chatV1.ChatService, config.CHAT_GRPC_URL, {
      deadlineMs,
      peerName: 'chat',
      signing: callerSigning(config, 'gateway', 'chat'),
    });
    const modelGateway = {
      deadlineMs,
      peerName: 'model gateway',
      signing: callerSigning(config, 'gateway', 'model-gateway'),
    };
    this.modelGateway = createGrpcClient(
      modelGatewayV1.ModelGatewayService,
      config.MODEL_GATEWAY_GRPC_URL,
      modelGateway,
    );
    this.chatTasks = createGrpcClient(
      chatTasksV1.ChatTaskService,
      config.MODEL_GATEWAY_GRPC_URL,
      modelGateway,
    );
    this.files = createGrpcClient(filesV1.FilesService, config.FILES_GRPC_URL, {
      deadlineMs,
      peerName: 'files',
      signing: callerSigning(config, 'gateway', 'files'),
    });
    this.retrieval = createGrpcClient(retrievalV1.RetrievalService, config.RETRIEVAL_GRPC_URL, {
      deadlineMs,
      peerName: 'retrieval',
      signing: callerSigning(config, 'gateway', 'retrieval'),
    });
  }

  onApplicationShutdown(): void {
    this.auth.close();
    this.chat.close();
    this.modelGateway.close();
    this.chatTasks.close();
    this.files.close();
    this.retrieval.close();
  }
}
