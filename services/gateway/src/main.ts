import 'reflect-metadata';
import type { Server } from 'node:http';
import { bootstrapService } from '@parley/lifecycle';
import { LOGGER, type Logger } from '@parley/logging';
import { GatewayAppModule } from './app.module';
import { GrpcApiServer } from './grpc-api/grpc-api.server';
import { gatewayConfigSchema, GATEWAY_CONFIG, GatewayConfig } from './gateway.config';
import { oauthProxy } from './oauth-proxy/oauth-proxy';
import { apiCompression } from './security/api-compression';
import { crossSiteGuard } from './security/cross-site';
import { hideMetrics, startMetricsListener } from './security/metrics-listener';
import { securityHeaders } from './security/security-headers';
import { attachRealtimeProxy } from './realtime-proxy/realtime-proxy';
import { serveWebApp } from './web-app/serve-web-app';

void bootstrapService({
  name: 'gateway',
  configSchema: gatewayConfigSchema,
  module: (config, { logger }) => GatewayAppModule.register(config, logger),
  ports: (config) => ({ http: config.PORT, host: config.HOST }),
  bodyLimit: (config) => config.BODY_LIMIT,
  configure: (app) => {
    const config = app.get<GatewayConfig>(GATEWAY_CONFIG);
    const logger = app.get<Logger>(LOGGER);
    // The client IP (sign-in rate limits) comes from X-Forwarded-For only through trusted proxies.
    (app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void }).set(
      'trust proxy',
      config.TRUST_PROXY,
    );
    app.use(securityHeaders());
    app.use(hideMetrics());
    app.use(apiCompression());
    const metrics = startMetricsListener(config.METRICS_PORT, config.HOST, (error) =>
      logger.error({ err: error }, 'metrics listener failed'),
    );
    (app.getHttpServer() as Server).on('close', () => metrics.close());
    app.use(crossSiteGuard(config.CORS_ALLOW_ORIGIN));
    app.use(
      attachRealtimeProxy(app.getHttpServer() as Server, config.REALTIME_URL, logger, {
        websocket: config.ENABLE_WEBSOCKET_SUPPORT,
      }),
    );
    app.use(oauthProxy(config.AUTH_HTTP_URL, logger));
    app.use(serveWebApp(config.WEB_DIST_DIR));
  },
  // The public gRPC API drains beside the HTTP server (its streams get the grace too); the module's
  // shutdown waits for it before the downstream clients close.
  beforeDrain: (app, budgetMs) => app.get(GrpcApiServer).startDrain(budgetMs),
});
