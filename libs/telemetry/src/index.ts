export {
  initTelemetry,
  shutdownTelemetry,
  tracer,
  injectTraceContext,
  extractTraceContext,
  inSpan,
  SpanKind,
  context,
  trace,
} from './tracing';
export type { TelemetryOptions, Context, Span } from './tracing';
export {
  metricsRegistry,
  initMetrics,
  httpRequestDuration,
  grpcServerDuration,
  natsMessagesTotal,
} from './metrics';
export { httpTracing } from './http-tracing.middleware';
export { PrometheusRegistryProducer } from './otlp-metrics';
