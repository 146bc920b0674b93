import 'reflect-metadata';
import { bootstrapService } from '@parley/lifecycle';
import { AuthAppModule } from './app.module';
import { authConfigSchema } from './auth.config';

void bootstrapService({
  name: 'auth',
  configSchema: authConfigSchema,
  module: (config, { logger, grpcHost }) => AuthAppModule.register(config, logger, grpcHost),
  ports: (config) => ({ http: config.HTTP_PORT, grpc: config.GRPC_PORT }),
});
