import 'reflect-metadata';
import { bootstrapService } from '@parley/lifecycle';
import { RealtimeAppModule } from './app.module';
import { REALTIME_CONFIG, RealtimeConfig, realtimeConfigSchema } from './realtime.config';
import { RealtimeRedis } from './redis/realtime-redis';
import { RealtimeGateway } from './sockets/realtime.gateway';
import { closeSocketsForReconnect } from './sockets/drain-sockets';
import { RedisIoAdapter } from './sockets/redis-io.adapter';

void bootstrapService({
  name: 'realtime',
  configSchema: realtimeConfigSchema,
  module: (config, { logger }) => RealtimeAppModule.register(config, logger),
  ports: (config) => ({ http: config.HTTP_PORT }),
  configure: (app) => {
    app.useWebSocketAdapter(
      new RedisIoAdapter(app, app.get<RealtimeConfig>(REALTIME_CONFIG), app.get(RealtimeRedis)),
    );
  },
  beforeDrain: (app) => closeSocketsForReconnect(app.get(RealtimeGateway).server, 1_000),
});
