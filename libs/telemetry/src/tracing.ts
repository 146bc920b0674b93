import {
  Context,
  context,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { metricsRegistry } from './metrics';
import { shutdownOtlpMetrics, startOtlpMetrics } from './otlp-metrics';

export interface TelemetryOptions {
  serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT; traces are exported only when it is set. */
  otlpEndpoint?: string;
  region?: string;
  /** OTEL_RESOURCE_ATTRIBUTES: key=value pairs separated by commas, values percent-encoded. */
  resourceAttributes?: string;
  /** Where metrics are pushed over OTLP/HTTP (ENABLE_OTEL_METRICS); unset: scraped from /metrics only. */
  otlpMetricsEndpoint?: string;
  /** OTEL_METRIC_EXPORT_INTERVAL, ms. */
  metricsIntervalMs?: number;
}

/** OpenTelemetry's OTEL_RESOURCE_ATTRIBUTES form; a pair that does not parse is left out. */
export function parseResourceAttributes(text: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      attributes[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // a malformed percent-escape: skip the pair rather than fail the start
    }
  }
  return attributes;
}

let provider: NodeTracerProvider | undefined;
let initialised = false;

/**
 * Sets up trace context propagation always (so a trace passing through a service that does not export
 * still stays one trace) and span export over OTLP/HTTP when an endpoint is configured.
 */
export function initTelemetry({
  serviceName,
  otlpEndpoint,
  region,
  resourceAttributes,
  otlpMetricsEndpoint,
  metricsIntervalMs = 60_000,
}: TelemetryOptions): void {
  if (initialised) return;
  initialised = true;
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const resource = {
    ...parseResourceAttributes(resourceAttributes),
    'service.name': serviceName,
    'service.instance.id': `${process.pid}`,
    ...(region ? { 'cloud.region': region } : {}),
  };
  if (otlpMetricsEndpoint)
    startOtlpMetrics({
      registry: metricsRegistry,
      endpoint: otlpMetricsEndpoint,
      intervalMs: metricsIntervalMs,
      resource,
    });
  if (!otlpEndpoint) return;
  const exporter = new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/$/, '')}/v1/traces` });
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 })],
  });
  trace.setGlobalTracerProvider(provider);
}

/** Flushes spans (and metrics) not yet exported; part of the drain on shutdown. */
export async function shutdownTelemetry(): Promise<void> {
  await Promise.all([provider?.shutdown().catch(() => undefined), shutdownOtlpMetrics()]);
}

export function tracer() {
  return trace.getTracer('parley');
}

/** Writes the current trace context into a carrier (HTTP headers, gRPC metadata, NATS headers). */
export function injectTraceContext(carrier: Record<string, string>, ctx: Context = context.active()): void {
  propagation.inject(ctx, carrier);
}

/** Reads a trace context from a carrier; unknown or absent yields the root context. */
export function extractTraceContext(getter: (key: string) => string | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, undefined, {
    get: (_carrier, key) => getter(key),
    keys: () => ['traceparent', 'tracestate'],
  });
}

/** Runs fn inside a new span that ends (with error status on a throw) when fn settles. */
export async function inSpan<T>(
  name: string,
  options: { kind: SpanKind; parent?: Context; attributes?: Record<string, string | number | boolean> },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind, attributes: options.attributes }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

export { SpanKind, context, trace } from '@opentelemetry/api';
export type { Context, Span } from '@opentelemetry/api';
