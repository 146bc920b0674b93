import compression from 'compression';
import type { Request, Response } from 'express';

/** Streams are sent as they are made: compressing them would buffer tokens until a block fills. */
const STREAMING = /^(text\/event-stream|application\/x-ndjson)/i;

/**
 * gzip/br for API answers of 1 KiB or more (chat lists, models, exports). The SPA's files are sent
 * precompressed by serveWebApp (Content-Encoding already set, so this leaves them alone); streamed
 * answers (SSE, Ollama's NDJSON) are never compressed, so each token leaves when it is written.
 */
export function apiCompression() {
  return compression({
    threshold: 1024,
    filter: (req: Request, res: Response) => {
      const type = String(res.getHeader('Content-Type') ?? '');
      if (STREAMING.test(type)) return false;
      return compression.filter(req, res);
    },
  });
}
