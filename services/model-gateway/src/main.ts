import 'reflect-metadata';
import { bootstrapService } from '@parley/lifecycle';
import { ModelGatewayAppModule } from './app.module';
import { ChatTaskRunner } from './chat-tasks/chat-task.runner';
import { modelGatewayConfigSchema } from './model-gateway.config';

void bootstrapService({
  name: 'model-gateway',
  configSchema: modelGatewayConfigSchema,
  module: (config, { logger, grpcHost }) => ModelGatewayAppModule.register(config, logger, grpcHost),
  ports: (config) => ({ http: config.HTTP_PORT, grpc: config.GRPC_PORT }),
  // Chat tasks are not requests: they get most of the drain budget to finish before the servers close.
  beforeDrain: (app, budgetMs) => app.get(ChatTaskRunner).drain(budgetMs),
});
