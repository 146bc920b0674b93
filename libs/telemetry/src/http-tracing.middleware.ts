import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { extractTraceContext, tracer } from './tracing';
import { httpRequestDuration } from './metrics';

/** Opens a server span per HTTP request (continuing the caller's trace) and records its duration. */
export function httpTracing(
  routeOf: (req: IncomingMessage) => string = (req) => (req.url ?? '').split('?')[0] ?? '',
) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const parent = extractTraceContext((key) => {
      const value = req.headers[key];
      return Array.isArray(value) ? value[0] : value;
    });
    const route = routeOf(req);
    const span = tracer().startSpan(`HTTP ${req.method} ${route}`, { kind: SpanKind.SERVER }, parent);
    const stopTimer = httpRequestDuration.startTimer({ method: req.method ?? 'GET' });
    res.on('finish', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      stopTimer({ route: routeLabel(route), status: String(res.statusCode) });
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/** Ids in paths would give every chat its own time series; collapse them. */
function routeLabel(path: string): string {
  return path.replace(/\/[0-9a-f]{8}-[0-9a-f-]{27,}/gi, '/:id').slice(0, 80);
}
