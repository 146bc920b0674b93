import express from 'express';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { pickEncoding, serveWebApp } from './serve-web-app';

describe('pickEncoding', () => {
  it('prefers br, then gzip, honouring q=0', () => {
    expect(pickEncoding('gzip, deflate, br').map((e) => e.encoding)).toEqual(['br', 'gzip']);
    expect(pickEncoding('gzip').map((e) => e.encoding)).toEqual(['gzip']);
    expect(pickEncoding('br;q=0, gzip;q=0.5').map((e) => e.encoding)).toEqual(['gzip']);
    expect(pickEncoding(undefined)).toEqual([]);
  });
});

describe('serveWebApp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-'));
  const js = 'console.log("hello");'.repeat(50);
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><p>app</p>');
  writeFileSync(join(dir, 'assets', 'main-abc.js'), js);
  writeFileSync(join(dir, 'assets', 'main-abc.js.br'), brotliCompressSync(js));
  writeFileSync(join(dir, 'assets', 'main-abc.js.gz'), gzipSync(js));

  it('sends the precompressed sibling by Accept-Encoding, with the type, Vary and immutable caching', async () => {
    const app = express();
    app.use(serveWebApp(dir));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = (path: string, encoding: string) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        // node:http, not fetch: fetch would decode the body and hide what was sent.
        void import('node:http').then(({ get }) =>
          get(`${url}${path}`, { headers: { 'accept-encoding': encoding } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          }).on('error', reject),
        );
      });
    try {
      const br = await get('/assets/main-abc.js', 'gzip, br');
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(br.headers['vary']).toMatch(/Accept-Encoding/);
      expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(brotliDecompressSync(br.body).toString()).toBe(js);
      const gz = await get('/assets/main-abc.js', 'gzip');
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.body).toString()).toBe(js);
      const plain = await get('/assets/main-abc.js', 'identity');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.toString()).toBe(js);
      const index = await get('/chats/123', 'br');
      expect(index.headers['cache-control']).toBe('no-cache');
      expect(index.body.toString()).toContain('app');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
