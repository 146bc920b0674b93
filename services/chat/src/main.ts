import 'reflect-metadata';
import { bootstrapService } from '@parley/lifecycle';
import { ChatAppModule } from './app.module';
import { chatConfigSchema } from './chat.config';

void bootstrapService({
  name: 'chat',
  configSchema: chatConfigSchema,
  module: (config, { logger, grpcHost }) => ChatAppModule.register(config, logger, grpcHost),
  ports: (config) => ({ http: config.HTTP_PORT, grpc: config.GRPC_PORT }),
});
