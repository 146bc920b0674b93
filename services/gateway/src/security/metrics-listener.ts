import { createServer, type Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { metricsRegistry } from '@parley/telemetry';

/**
 * The gateway's metrics live on their own port (METRICS_PORT), not on the public listener: request
 * counts per route and process figures are for the platform's scraper, not for the internet. The other
 * services keep /metrics on their internal HTTP port.
 */
export function startMetricsListener(port: number, host: string, onError: (error: Error) => void): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: 'Only GET /metrics is served here.' }));
      return;
    }
    metricsRegistry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': metricsRegistry.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: Error) => {
        onError(error);
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: 'Metrics are unavailable.' }));
      },
    );
  });
  server.on('error', onError);
  server.listen(port, host);
  return server;
}

/** The public listener answers /metrics like any unknown path. */
export function hideMetrics() {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.path !== '/metrics') return next();
    res.status(404).json({ detail: `Cannot ${req.method} /metrics`, code: 'NOT_FOUND' });
  };
}
