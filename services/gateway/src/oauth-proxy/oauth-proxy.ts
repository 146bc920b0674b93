import type { IncomingMessage, ServerResponse } from 'node:http';
import httpProxy from 'http-proxy';
import type { Logger } from '@parley/logging';

/**
 * Single sign-on's browser redirects (/oauth/<provider>/login and /callback, Open WebUI's paths) are
 * served by the auth service, which owns identities; the gateway passes them through. The original
 * Host and X-Forwarded-* headers go along so redirects point back at the public address.
 */
export function oauthProxy(target: string, logger: Logger) {
  const proxy = httpProxy.createProxyServer({ target, xfwd: true });
  proxy.on('error', (error, _req, res) => {
    logger.warn({ err: error }, 'auth proxy error');
    const response = res as ServerResponse;
    if (!response.headersSent) {
      response.writeHead(503, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ detail: 'Sign-in is unavailable right now; try again shortly.' }));
    }
  });
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (req.url?.startsWith('/oauth/')) proxy.web(req, res);
    else next();
  };
}
