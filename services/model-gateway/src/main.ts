import 'reflect-metadata';
import { bootstrapService } from '@parley/lifecycle';
import { ModelGatewayAppModule } from './app.module';
import { ChatTaskRunner } from './chat-tasks/chat-task.runner';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig, modelGatewayConfigSchema } from './model-gateway.config';

void bootstrapService({
  name: 'model-gateway',
  configSchema: modelGatewayConfigSchema,
  module: (config, { logger, grpcHost }) => ModelGatewayAppModule.register(config, logger, grpcHost),
  ports: (config) => ({ http: config.HTTP_PORT, grpc: config.GRPC_PORT }),
  // Chat tasks are not requests: give them the grace period to finish before the servers close.
  beforeDrain: (app) =>
    app.get(ChatTaskRunner).drain(app.get<ModelGatewayConfig>(MODEL_GATEWAY_CONFIG).SHUTDOWN_GRACE_MS),
});
