import type { DynamicModule } from '@nestjs/common';
import {
  checkConfigAndExit,
  ConfigValidationError,
  loadConfigOrExit,
  openWebUiEnvironment,
  redactConfig,
  unsupportedOpenWebUiVariables,
  z,
} from '@parley/config';
import { toSafeText } from '@parley/errors';
import {
  CallerVerifier,
  callerSecretsOf,
  GrpcServerHost,
  TransportSecurityConfigError,
  transportSecurityFilesOf,
  useTransportSecurity,
} from '@parley/grpc';
import { createLogger, type Logger } from '@parley/logging';
import { initTelemetry } from '@parley/telemetry';
import { runService, RunServiceOptions, RunningService } from './run-service';

interface CommonConfig {
  LOG_LEVEL: string;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_SERVICE_NAME?: string;
  ENABLE_OTEL?: boolean;
  ENABLE_OTEL_TRACES: boolean;
  ENABLE_OTEL_METRICS: boolean;
  OTEL_METRICS_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_METRIC_EXPORT_INTERVAL: number;
  OTEL_RESOURCE_ATTRIBUTES?: string;
  SHUTDOWN_GRACE_MS: number;
  PARLEY_REGION?: string;
  CALLER_ASSERTION_SECRET: string;
  CALLER_ASSERTION_PREVIOUS_SECRETS?: string;
  GRPC_TLS_CERT_FILE?: string;
  GRPC_TLS_KEY_FILE?: string;
  GRPC_TLS_CA_FILE?: string;
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
  const source = openWebUiEnvironmentOrExit(options.name);
  if (process.argv.includes('--check-config')) checkConfigAndExit(options.name, options.configSchema, source);
  const config = loadConfigOrExit(options.name, options.configSchema, source);
  const common = config as unknown as CommonConfig;
  // Before any gRPC server or client exists: every one of this process uses it (docs/internal-tls.md).
  const tls = startTransportSecurityOrExit(options.name, common);
  initTelemetry({
    serviceName: common.OTEL_SERVICE_NAME ?? options.name,
    otlpEndpoint: otlpTraceEndpoint(common),
    resourceAttributes: common.OTEL_RESOURCE_ATTRIBUTES,
    region: common.PARLEY_REGION,
    otlpMetricsEndpoint: otlpMetricsEndpoint(common),
    metricsIntervalMs: common.OTEL_METRIC_EXPORT_INTERVAL,
  });
  const logger = createLogger({ service: options.name, level: common.LOG_LEVEL });
  logger.info({ config: redactConfig(options.configSchema, config) }, 'configuration loaded');
  // Nothing an Open WebUI operator sets is silently ignored (docs/from-open-webui.md).
  for (const warning of unsupportedOpenWebUiVariables(source)) logger.warn(warning);
  logger.info(
    tls ? { grpcTls: 'mutual', ...tls.files } : { grpcTls: 'off' },
    tls ? 'internal gRPC uses mutual TLS' : 'internal gRPC is plaintext (GRPC_TLS_* not set)',
  );
  // What stays fatal and what does not:
  // - An unhandled promise rejection is almost always one request's work that nobody awaited (a stream
  //   write after the caller left, a status grpc-js refused). Exiting would let any client that can
  //   provoke one take the copy down, so it is logged as an error and the process keeps serving.
  // - An uncaught exception (a synchronous throw that unwound to the event loop) leaves state unknown:
  //   that is a lost invariant, logged as fatal, and the process exits 1 so the supervisor restarts it.
  //   Failing to start (bad config, a port in use) is fatal as well, below.
  process.on('unhandledRejection', (reason) => {
    logger.error(
      { err: reason },
      `unhandled promise rejection (kept running): ${toSafeText(String((reason as Error)?.message ?? reason), 500)}`,
    );
  });
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, `uncaught exception, exiting: ${toSafeText(String(error?.message), 500)}`);
    process.exit(1);
  });
  // Every gRPC call must carry a caller assertion minted for this service (its name is the audience).
  const grpcHost = new GrpcServerHost(logger, {
    callers: new CallerVerifier({ secrets: callerSecretsOf(common), audience: options.name }),
  });
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

/**
 * Where spans go: Open WebUI's ENABLE_OTEL=false or ENABLE_OTEL_TRACES=false keep them local;
 * ENABLE_OTEL=true without an endpoint means a collector on this host; otherwise the endpoint decides.
 */
export function otlpTraceEndpoint(common: {
  ENABLE_OTEL?: boolean;
  ENABLE_OTEL_TRACES: boolean;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
}): string | undefined {
  if (common.ENABLE_OTEL === false || !common.ENABLE_OTEL_TRACES) return undefined;
  return common.OTEL_EXPORTER_OTLP_ENDPOINT ?? (common.ENABLE_OTEL ? 'http://localhost:4318' : undefined);
}

/**
 * Where metrics are pushed over OTLP (Open WebUI's switches): only with ENABLE_OTEL_METRICS=true and
 * ENABLE_OTEL not false; OTEL_METRICS_EXPORTER_OTLP_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT, else
 * http://localhost:4318. /metrics keeps serving Prometheus either way.
 */
export function otlpMetricsEndpoint(common: {
  ENABLE_OTEL?: boolean;
  ENABLE_OTEL_METRICS: boolean;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_METRICS_EXPORTER_OTLP_ENDPOINT?: string;
}): string | undefined {
  if (common.ENABLE_OTEL === false || !common.ENABLE_OTEL_METRICS) return undefined;
  return (
    common.OTEL_METRICS_EXPORTER_OTLP_ENDPOINT ??
    common.OTEL_EXPORTER_OTLP_ENDPOINT ??
    'http://localhost:4318'
  );
}

/** The environment with the working directory's .env and Open WebUI's database parts (exit 78 on a bad one). */
function openWebUiEnvironmentOrExit(serviceName: string): Record<string, string | undefined> {
  try {
    return openWebUiEnvironment();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${serviceName}: cannot start. ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

/**
 * Turns on mutual TLS for every gRPC server and client of the process when GRPC_TLS_* are set. Half a
 * configuration, or files that cannot be read or do not match, stop the start like any bad config value
 * (exit 78), rather than falling back to plaintext.
 */
function startTransportSecurityOrExit(serviceName: string, common: CommonConfig) {
  try {
    return useTransportSecurity(transportSecurityFilesOf(common));
  } catch (error) {
    if (error instanceof TransportSecurityConfigError) {
      const message = new ConfigValidationError(error.problems).message;
      process.stderr.write(`${serviceName}: cannot start. ${message}\n`);
      process.exit(78); // EX_CONFIG, as loadConfigOrExit
    }
    throw error;
  }
}
