import { createServer, type Server } from 'node:http';

export interface ExportedSpan {
  service: string;
  traceId: string;
  name: string;
}

export interface ExportedMetric {
  service: string;
  name: string;
  /** sum, gauge or histogram: the OTLP field the metric came in. */
  kind: string;
}

interface Resource {
  attributes: Array<{ key: string; value: { stringValue?: string } }>;
}

const serviceOf = (resource: Resource) =>
  resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';

/**
 * A minimal OTLP/HTTP (JSON) receiver, what an OpenTelemetry collector would get: spans posted to
 * /v1/traces and metrics to /v1/metrics, recorded with the service that sent them.
 */
export function startOtlpReceiver(): Promise<{
  server: Server;
  url: string;
  spans: ExportedSpan[];
  metrics: ExportedMetric[];
}> {
  const spans: ExportedSpan[] = [];
  const metrics: ExportedMetric[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const payload = JSON.parse(body || '{}') as {
        resourceSpans?: Array<{
          resource: Resource;
          scopeSpans: Array<{ spans: Array<{ traceId: string; name: string }> }>;
        }>;
        resourceMetrics?: Array<{
          resource: Resource;
          scopeMetrics: Array<{ metrics: Array<Record<string, unknown> & { name: string }> }>;
        }>;
      };
      for (const resourceSpan of payload.resourceSpans ?? []) {
        const service = serviceOf(resourceSpan.resource);
        for (const scope of resourceSpan.scopeSpans)
          for (const span of scope.spans) spans.push({ service, traceId: span.traceId, name: span.name });
      }
      for (const resourceMetric of payload.resourceMetrics ?? []) {
        const service = serviceOf(resourceMetric.resource);
        for (const scope of resourceMetric.scopeMetrics)
          for (const metric of scope.metrics) {
            const kind = ['sum', 'gauge', 'histogram'].find((k) => k in metric) ?? '?';
            metrics.push({ service, name: metric.name, kind });
          }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${address.port}`, spans, metrics });
    }),
  );
}
