import 'reflect-metadata';
import { bootstrapService } from '@parley/lifecycle';
import { FilesAppModule } from './app.module';
import { filesConfigSchema } from './files.config';

void bootstrapService({
  name: 'files',
  configSchema: filesConfigSchema,
  module: (config, { logger, grpcHost }) => FilesAppModule.register(config, logger, grpcHost),
  ports: (config) => ({ http: config.HTTP_PORT, grpc: config.GRPC_PORT }),
});
