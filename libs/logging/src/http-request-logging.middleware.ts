import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { REQUEST_ID_HEADER, runWithRequestContext, sanitizeRequestId } from './request-context';

/**
 * Express-style middleware: takes the caller's x-request-id (or makes one), echoes it on the response,
 * runs the rest of the request inside that context and writes one access line when the response ends.
 * Probe and metrics paths are not logged: they would drown everything else.
 */
export function httpRequestLogging(logger: Logger, quietPaths: string[] = ['/health', '/metrics']) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const requestId = sanitizeRequestId(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const started = process.hrtime.bigint();
    const path = (req.url ?? '').split('?')[0] ?? '';
    runWithRequestContext({ requestId }, () => {
      if (!quietPaths.some((quiet) => path === quiet || path.startsWith(`${quiet}/`))) {
        res.on('finish', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          runWithRequestContext({ requestId }, () =>
            logger.info(
              { method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 },
              'http request',
            ),
          );
        });
      }
      next();
    });
  };
}
