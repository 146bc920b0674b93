import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { callerSigning, createGrpcClient, ServiceClient } from '@parley/grpc';
import { presetsV1, promptsV1, tasksV1, usageV1 } from '@parley/proto';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';

type PresetMethods = typeof presetsV1.PresetsService extends { method: infer M } ? M : never;
type PromptMethods = typeof promptsV1.PromptsService extends { method: infer M } ? M : never;
type UsageMethods = typeof usageV1.UsageService extends { method: infer M } ? M : never;
type TaskMethods = typeof tasksV1.TasksService extends { method: infer M } ? M : never;

/** gRPC clients of the model gateway's presets, prompts, usage and tasks services. */
@Injectable()
export class ModelCatalogClients implements OnApplicationShutdown {
  readonly presets: ServiceClient<PresetMethods>;
  readonly prompts: ServiceClient<PromptMethods>;
  readonly usage: ServiceClient<UsageMethods>;
  readonly tasks: ServiceClient<TaskMethods>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    // No default caller: every call passes the request's user caller, and one that forgets fails.
    const options = {
      deadlineMs: config.GRPC_DEADLINE_MS,
      peerName: 'model gateway',
      signing: callerSigning(config, 'gateway', 'model-gateway'),
    };
    this.presets = createGrpcClient(presetsV1.PresetsService, config.MODEL_GATEWAY_GRPC_URL, options);
    this.prompts = createGrpcClient(promptsV1.PromptsService, config.MODEL_GATEWAY_GRPC_URL, options);
    this.usage = createGrpcClient(usageV1.UsageService, config.MODEL_GATEWAY_GRPC_URL, options);
    this.tasks = createGrpcClient(tasksV1.TasksService, config.MODEL_GATEWAY_GRPC_URL, options);
  }

  onApplicationShutdown(): void {
    this.presets.close();
    this.prompts.close();
    this.usage.close();
    this.tasks.close();
  }
}
