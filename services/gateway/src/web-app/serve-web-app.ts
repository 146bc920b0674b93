import express from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Paths that belong to the API and must never fall back to the SPA's index.html. */
const NON_APP_PREFIXES = ['/api', '/ws', '/oauth', '/health', '/metrics', '/openai', '/ollama'];

/**
 * Serves the built SPA: hashed assets as immutable, index.html as no-cache (so a deploy is picked up
 * at once), and index.html for any other GET so client-side routes survive a reload.
 */
export function serveWebApp(webDir: string) {
  const indexFile = join(webDir, 'index.html');
  const hasBuild = existsSync(indexFile);
  const assets = express.static(webDir, {
    index: false,
    setHeaders: (res, path) => {
      if (path.includes(`${join(webDir, 'assets')}`))
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      else res.setHeader('Cache-Control', 'no-cache');
    },
  });
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (NON_APP_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    assets(req as express.Request, res as express.Response, () => {
      if (!hasBuild) {
        res.statusCode = 503;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end('The web app is not built. Run `npm run build` (or `npm start`), then reload.\n');
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      (res as express.Response).sendFile(indexFile, (error) => error && next(error));
    });
  };
}
