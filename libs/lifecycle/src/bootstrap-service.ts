import type { DynamicModule } from '@nestjs/common';
import { loadConfigOrExit, redactConfig, z } from '@parley/config';
import { GrpcServerHost } from '@parley/grpc';
import { createLogger, type Logger } from '@parley/logging';
import { initTelemetry } from '@parley/telemetry';
import { runService, RunServiceOptions, RunningService } from './run-service';

interface CommonConfig {
  LOG_LEVEL: string;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  SHUTDOWN_GRACE_MS: number;
  PARLEY_REGION?: string;
}

export interface BootstrapOptions<S extends z.ZodRawShape> {
  name: string;
  configSchema: z.ZodObject<S>;
  module: (
    config: z.infer<z.ZodObject<S>>,
    context: { logger: Logger; grpcHost: GrpcServerHost },
  ) => DynamicModule;
  ports: (config: z.infer<z.ZodObject<S>>) => { http: number; grpc?: number; host?: string };
  /** Largest JSON body accepted (default 1mb). */
  bodyLimit?: (config: z.infer<z.ZodObject<S>>) => string;
  configure?: RunServiceOptions['configure'];
  beforeDrain?: RunServiceOptions['beforeDrain'];
}

/**
 * The whole start-up of a service process: validate env (exit with a clear message on a bad value),
 * set up tracing and logging, build the Nest app, serve HTTP (and gRPC), and drain on SIGTERM.
 */
export async function bootstrapService<S extends z.ZodRawShape>(
  options: BootstrapOptions<S>,
): Promise<RunningService> {
  const config = loadConfigOrExit(options.name, options.configSchema);
  const common = config as unknown as CommonConfig;
  initTelemetry({
    serviceName: options.name,
    otlpEndpoint: common.OTEL_EXPORTER_OTLP_ENDPOINT,
    region: common.PARLEY_REGION,
  });
  const logger = createLogger({ service: options.name, level: common.LOG_LEVEL });
  logger.info({ config: redactConfig(options.configSchema, config) }, 'configuration loaded');
  // Node would exit 1 with a bare stack trace on stderr; say what it was in the log first.
  process.on('unhandledRejection', (reason) => {
    logger.fatal(
      { err: reason },
      `unhandled promise rejection: ${(reason as Error)?.message ?? String(reason)}`,
    );
    process.exit(1);
  });
  const grpcHost = new GrpcServerHost(logger);
  const ports = options.ports(config);
  try {
    return await runService({
      name: options.name,
      logger,
      module: options.module(config, { logger, grpcHost }),
      httpPort: ports.http,
      httpHost: ports.host,
      bodyLimit: options.bodyLimit?.(config),
      grpc: ports.grpc === undefined ? undefined : { host: grpcHost, port: ports.grpc },
      shutdownGraceMs: common.SHUTDOWN_GRACE_MS,
      configure: options.configure,
      beforeDrain: options.beforeDrain,
    });
  } catch (error) {
    logger.fatal({ err: error }, `${options.name} failed to start: ${(error as Error).message}`);
    process.exit(1);
  }
}
