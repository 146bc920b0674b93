import express from 'express';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { apiCompression } from './api-compression';

describe('apiCompression', () => {
  it('gzips JSON over 1 KiB, leaves small answers alone, and streams SSE uncompressed chunk by chunk', async () => {
    const app = express();
    app.use(apiCompression());
    const big = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, title: `chat ${i}` })) };
    app.get('/big', (_req, res) => void res.json(big));
    app.get('/small', (_req, res) => void res.json({ ok: true }));
    let release: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (release = resolve));
    app.get('/sse', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      void second.then(() => res.end('data: [DONE]\n\n'));
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fetchRaw = (path: string, onFirst?: (chunk: string) => void) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        get(`${url}${path}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            if (chunks.length === 0) onFirst?.(c.toString());
            chunks.push(c);
          });
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
    try {
      const bigRes = await fetchRaw('/big');
      expect(bigRes.headers['content-encoding']).toBe('gzip');
      expect(JSON.parse(gunzipSync(bigRes.body).toString())).toEqual(big);
      expect((await fetchRaw('/small')).headers['content-encoding']).toBeUndefined();
      // The first event arrives before the stream ends: the server holds the end until it has.
      const sse = await fetchRaw('/sse', (first) => {
        expect(first).toBe('data: one\n\n');
        release();
      });
      expect(sse.headers['content-encoding']).toBeUndefined();
      expect(sse.body.toString()).toBe('data: one\n\ndata: [DONE]\n\n');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
