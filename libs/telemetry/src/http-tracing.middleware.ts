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
      const pattern = matchedRoute(req);
      if (pattern) span.updateName(`HTTP ${req.method} ${pattern}`);
      span.end();
      stopTimer({ route: pattern ?? UNMATCHED, status: String(res.statusCode) });
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/** The metric label of requests no route matched (static files, probes of unknown paths, scanners). */
export const UNMATCHED = 'unmatched';

/**
 * The route pattern Express (and so Nest) matched, e.g. `/api/v1/chats/:id`: one time series per route,
 * whatever ids or junk the paths carry. Undefined when no route handled the request.
 */
export function matchedRoute(req: IncomingMessage): string | undefined {
  const { route, baseUrl } = req as IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };
  if (!route || typeof route.path !== 'string') return undefined;
  return `${baseUrl ?? ''}${route.path}`.slice(0, 120) || '/';
}
