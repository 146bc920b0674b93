import 'reflect-metadata';
import { bootstrapService } from '@parley/lifecycle';
import { RetrievalAppModule } from './app.module';
import { retrievalConfigSchema } from './retrieval.config';

void bootstrapService({
  name: 'retrieval',
  configSchema: retrievalConfigSchema,
  module: (config, { logger, grpcHost }) => RetrievalAppModule.register(config, logger, grpcHost),
  ports: (config) => ({ http: config.HTTP_PORT, grpc: config.GRPC_PORT }),
});
