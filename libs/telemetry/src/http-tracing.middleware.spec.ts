import express from 'express';
import type { AddressInfo } from 'node:net';
import { httpTracing } from './http-tracing.middleware';
import { metricsRegistry } from './metrics';

describe('httpTracing', () => {
  it('labels request durations by the matched route pattern, and unknown paths as unmatched', async () => {
    const app = express();
    app.use(httpTracing());
    app.get('/api/v1/chats/:id', (_req, res) => void res.json({}));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await (await fetch(`${url}/api/v1/chats/abc-123`)).text();
      await (await fetch(`${url}/api/v1/chats/zzz`)).text();
      await (await fetch(`${url}/wp-admin/${'x'.repeat(40)}`)).text();
      const text = await metricsRegistry.metrics();
      expect(text).toMatch(/route="\/api\/v1\/chats\/:id",status="200"\} 2/);
      expect(text).toMatch(/route="unmatched",status="404"\} 1/);
      expect(text).not.toContain('abc-123');
      expect(text).not.toContain('wp-admin');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
