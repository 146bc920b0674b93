import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per process, exposed as Prometheus text on /metrics. */
export const metricsRegistry = new Registry();
let defaultsCollected = false;

export function initMetrics(serviceName: string): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  metricsRegistry.setDefaultLabels({ service: serviceName });
  collectDefaultMetrics({ register: metricsRegistry });
}

export const httpRequestDuration = new Histogram({
  name: 'parley_http_request_duration_seconds',
  help: 'HTTP requests served, by method, route and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const grpcServerDuration = new Histogram({
  name: 'parley_grpc_server_duration_seconds',
  help: 'gRPC calls served, by method and status code',
  labelNames: ['method', 'code'],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const natsMessagesTotal = new Counter({
  name: 'parley_nats_messages_total',
  help: 'NATS messages published and handled, by subject and direction',
  labelNames: ['subject', 'direction'],
  registers: [metricsRegistry],
});
