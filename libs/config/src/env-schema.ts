import { z } from 'zod';

/**
 * Helpers for the one env schema each service declares. Values arrive as strings; these parse them into
 * typed values and say in plain words what was expected, because the message is what an operator sees
 * when a deployment fails to start.
 */

const SENSITIVE = Symbol.for('parley.config.sensitive');

/** Marks a variable whose value must never be printed (secrets, keys, URLs that may carry passwords). */
export function sensitive<T extends z.ZodTypeAny>(schema: T): T {
  (schema as unknown as Record<symbol, boolean>)[SENSITIVE] = true;
  return schema;
}

export function isSensitive(schema: z.ZodTypeAny): boolean {
  let current: z.ZodTypeAny | undefined = schema;
  while (current) {
    if ((current as unknown as Record<symbol, boolean>)[SENSITIVE]) return true;
    const def = current._def as { innerType?: z.ZodTypeAny; schema?: z.ZodTypeAny };
    current = def.innerType ?? def.schema;
  }
  return false;
}

export const INSTALLATION_PREFIX = /^([A-Za-z0-9][A-Za-z0-9_-]{0,62})?$/;

export const env = {
  string: () => z.string({ required_error: 'is required' }).min(1, 'must not be empty'),

  port: (fallback: number) =>
    z.coerce
      .number({ invalid_type_error: 'must be a TCP port number' })
      .int('must be a whole number')
      .min(1, 'must be a TCP port between 1 and 65535')
      .max(65535, 'must be a TCP port between 1 and 65535')
      .default(fallback),

  int: (fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {}) =>
    z.coerce
      .number({ invalid_type_error: 'must be a number' })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),

  bool: (fallback: boolean) => booleanText().default(fallback ? 'true' : 'false'),

  /** true, false, or unset (undefined): for a switch whose absence means "decide from other settings". */
  optionalBool: () => booleanText().optional(),

  url: (protocols: string[], fallback?: string) => {
    const schema = z.string().refine((value) => isUrlOf(value, protocols), {
      message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });
    return fallback === undefined ? schema : schema.default(fallback);
  },

  /**
   * One URL or several, comma-separated (a NATS cluster's seed servers: nats://nats-0:4222,nats://nats-1:4222).
   * The value stays the string as given; the client splits it.
   */
  urlList: (protocols: string[], fallback: string) =>
    z
      .string()
      .refine(
        (value) => {
          const parts = value.split(',').map((part) => part.trim());
          return parts.length > 0 && parts.every((part) => isUrlOf(part, protocols));
        },
        {
          message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}, or several separated by commas`,
        },
      )
      .default(fallback),

  /**
   * A gRPC target: host:port, or dns:///host:port (every address DNS gives, e.g. a headless Service's pods;
   * the client balances calls over them).
   */
  hostPort: (fallback: string) =>
    z
      .string()
      .regex(
        /^(dns:\/\/\/)?[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/,
        'must be host:port or dns:///host:port, for example 127.0.0.1:50051',
      )
      .default(fallback),

  /**
   * An installation's name in shared Redis and NATS (REDIS_KEY_PREFIX): letters, digits, `-` and `_`,
   * so it is safe in Redis keys, NATS subjects and JetStream stream names alike. Empty: no prefix.
   */
  installationPrefix: () =>
    z
      .string()
      .regex(
        INSTALLATION_PREFIX,
        'must be letters, digits, - and _ (at most 63, starting with a letter or digit), e.g. open-webui',
      )
      .default(''),

  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  oneOf: <const T extends [string, ...string[]]>(values: T, fallback: T[number]) =>
    z
      .enum(values, { errorMap: () => ({ message: `must be one of: ${values.join(', ')}` }) })
      .default(fallback),
};

function booleanText() {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'True', 'False', 'TRUE', 'FALSE'], {
      errorMap: () => ({ message: 'must be true or false' }),
    })
    .transform((v) => ['true', '1', 'yes'].includes(v.toLowerCase()));
}

function isUrlOf(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
  } catch {
    return false;
  }
}

/** Variables every service reads, spread into each service's schema. */
export function commonServiceEnv() {
  return {
    LOG_LEVEL: env.logLevel(),
    /** Traces are exported over OTLP/HTTP when this is set (e.g. http://otel-collector:4318). */
    OTEL_EXPORTER_OTLP_ENDPOINT: env.url(['http', 'https']).optional(),
    /**
     * Open WebUI's switches: ENABLE_OTEL=false turns export off even with an endpoint; true without one
     * exports to http://localhost:4318. ENABLE_OTEL_TRACES=false keeps traces local. Unset: export when
     * OTEL_EXPORTER_OTLP_ENDPOINT is set.
     */
    ENABLE_OTEL: env.optionalBool(),
    ENABLE_OTEL_TRACES: env.bool(true),
    /**
     * Metrics pushed over OTLP/HTTP as well as scraped from /metrics (Prometheus): to
     * OTEL_METRICS_EXPORTER_OTLP_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT, every OTEL_METRIC_EXPORT_INTERVAL ms.
     */
    ENABLE_OTEL_METRICS: env.bool(false),
    OTEL_METRICS_EXPORTER_OTLP_ENDPOINT: env.url(['http', 'https']).optional(),
    OTEL_METRIC_EXPORT_INTERVAL: env.int(60_000, { min: 100, max: 3_600_000 }),
    /** The service.name of spans; the service's own name when unset (the chart sets parley-<service>). */
    OTEL_SERVICE_NAME: z.string().max(128).optional(),
    /** More resource attributes for spans, OpenTelemetry's form: key=value,key2=value2. */
    OTEL_RESOURCE_ATTRIBUTES: z
      .string()
      .regex(/^([^=,\s]+=[^,]*)(,[^=,\s]+=[^,]*)*$/, 'must be key=value pairs separated by commas')
      .optional(),
    /** How long in-flight requests and streams may take to finish after SIGTERM. */
    SHUTDOWN_GRACE_MS: env.int(10_000, { min: 0, max: 600_000 }),
    /** A label for logs and traces in multi-region installs. */
    PARLEY_REGION: z.string().max(64).optional(),
    /**
     * Signs and verifies the caller assertion every internal gRPC call carries (docs/caller-assertion.md).
     * The same value on every service of an installation; the chart generates one.
     */
    CALLER_ASSERTION_SECRET: sensitive(
      z
        .string({
          required_error: 'is required (the same random value on every service: openssl rand -hex 32)',
        })
        .min(32, 'must be at least 32 characters (openssl rand -hex 32)'),
    ),
    /** Earlier secrets, comma-separated, still accepted while a rotation rolls out. */
    CALLER_ASSERTION_PREVIOUS_SECRETS: sensitive(z.string().optional()),
    /**
     * Mutual TLS between the services (docs/internal-tls.md): this service's certificate, its key, and
     * the CA that signs every service's certificate, as PEM files (a cert-manager Secret's tls.crt, tls.key
     * and ca.crt). All three or none; unset means plaintext gRPC. The files are re-read when they change.
     */
    GRPC_TLS_CERT_FILE: tlsFile(),
    GRPC_TLS_KEY_FILE: tlsFile(),
    GRPC_TLS_CA_FILE: tlsFile(),
  };
}

/** A path to a PEM file; whether the three are set together is checked at start-up (bootstrapService). */
function tlsFile() {
  return z.string().min(1, 'must be a file path').optional();
}
