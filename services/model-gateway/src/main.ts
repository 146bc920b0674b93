import 'reflect-metadata';
import { bootstrapService } from '@parley/lifecycle';
import { ModelGatewayAppModule } from './app.module';
import { modelGatewayConfigSchema } from './model-gateway.config';

void bootstrapService({
  name: 'model-gateway',
  configSchema: modelGatewayConfigSchema,
  module: (config, { logger, grpcHost }) => ModelGatewayAppModule.register(config, logger, grpcHost),
  ports: (config) => ({ http: config.HTTP_PORT, grpc: config.GRPC_PORT }),
});
