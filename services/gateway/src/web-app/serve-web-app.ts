import express from 'express';
import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Paths that belong to the API and must never fall back to the SPA's index.html. */
const NON_APP_PREFIXES = [
  '/api',
  '/ws',
  '/oauth',
  '/health',
  '/metrics',
  '/openai',
  '/ollama',
  '/openapi.json',
  '/docs',
];

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The precompressed sibling (written by web/scripts/precompress.mjs) the client accepts, best first. */
export function pickEncoding(
  acceptEncoding: string | undefined,
): Array<{ encoding: string; suffix: string }> {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  return [
    ...(ok('br') ? [{ encoding: 'br', suffix: '.br' }] : []),
    ...(ok('gzip') ? [{ encoding: 'gzip', suffix: '.gz' }] : []),
  ];
}

/**
 * Serves the built SPA: hashed assets as immutable, index.html as no-cache (so a deploy is picked up
 * at once), and index.html for any other GET so client-side routes survive a reload. A file with a
 * precompressed .br/.gz sibling is sent as that sibling when Accept-Encoding allows, with its own type.
 */
export function serveWebApp(webDir: string) {
  const root = normalize(webDir);
  const indexFile = join(root, 'index.html');
  const hasBuild = existsSync(indexFile);
  const assetsDir = join(root, 'assets') + sep;
  const cacheControl = (path: string) =>
    path.startsWith(assetsDir) ? 'public, max-age=31536000, immutable' : 'no-cache';
  const assets = express.static(root, {
    index: false,
    setHeaders: (res, path) => res.setHeader('Cache-Control', cacheControl(path)),
  });

  const sendFile = (req: IncomingMessage, res: ServerResponse, file: string, otherwise: () => void): void => {
    const type = TYPES[extname(file)];
    if (type === undefined) return otherwise();
    res.setHeader('Vary', 'Accept-Encoding');
    const choice = pickEncoding(req.headers['accept-encoding']).find(({ suffix }) =>
      existsSync(file + suffix),
    );
    if (!choice) return otherwise();
    res.setHeader('Content-Encoding', choice.encoding);
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', cacheControl(file));
    (res as express.Response).sendFile(
      file + choice.suffix,
      { headers: { 'Content-Type': type } },
      (error) => {
        if (error && !res.headersSent) otherwise();
      },
    );
  };

  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (NON_APP_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const serveIndex = () => {
      if (!hasBuild) {
        res.statusCode = 503;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end('The web app is not built. Run `npm run build` (or `npm start`), then reload.\n');
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      sendFile(req, res, indexFile, () =>
        (res as express.Response).sendFile(indexFile, (error) => error && next(error)),
      );
    };
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return serveIndex();
    }
    const file = normalize(join(root, decoded));
    const inside = file.startsWith(root + sep) && !decoded.includes('\0');
    const plain = () => assets(req as express.Request, res as express.Response, serveIndex);
    if (inside && !decoded.endsWith('/') && existsSync(file)) return sendFile(req, res, file, plain);
    plain();
  };
}
