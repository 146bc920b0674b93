import 'reflect-metadata';
import { bootstrapService } from '@parley/lifecycle';
import { RealtimeAppModule } from './app.module';
import { REALTIME_CONFIG, RealtimeConfig, realtimeConfigSchema } from './realtime.config';
import { RealtimeRedis } from './redis/realtime-redis';
import { RealtimeGateway } from './sockets/realtime.gateway';
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
  beforeDrain: (app) => {
    // Sockets are long-lived: ask this copy's clients to reconnect (to another copy) now, so the
    // HTTP server can close within the grace period.
    app.get(RealtimeGateway).server.local.disconnectSockets(true);
  },
});
