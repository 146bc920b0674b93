import express from 'express';
import type { AddressInfo } from 'node:net';
import { crossSiteGuard } from './cross-site';
import { CONTENT_SECURITY_POLICY, securityHeaders } from './security-headers';

async function withApp(corsAllowOrigin: string, run: (url: string) => Promise<void>): Promise<void> {
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders());
  app.use(crossSiteGuard(corsAllowOrigin));
  app.all('/{*any}', (_req, res) => void res.json({ ok: true }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const cookie = { cookie: 'token=abc' };

describe('securityHeaders', () => {
  it('sets the strict headers, no-store on the API, and HSTS only over https through a trusted proxy', () =>
    withApp('', async (url) => {
      const api = await fetch(`${url}/api/v1/chats`);
      expect(api.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
      expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(api.headers.get('x-frame-options')).toBe('DENY');
      expect(api.headers.get('x-content-type-options')).toBe('nosniff');
      expect(api.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(api.headers.get('cache-control')).toBe('no-store');
      expect(api.headers.get('strict-transport-security')).toBeNull();
      const secure = await fetch(`${url}/`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(secure.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(secure.headers.get('cache-control')).toBeNull();
    }));
});

describe('crossSiteGuard', () => {
  it('refuses a cookie POST from another origin with 403 and a detail', () =>
    withApp('', async (url) => {
      const res = await fetch(`${url}/api/v1/chats/new`, {
        method: 'POST',
        headers: { ...cookie, origin: 'https://evil.example' },
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/Cross-site/);
      const site = await fetch(`${url}/api/v1/chats/x`, {
        method: 'DELETE',
        headers: { ...cookie, 'sec-fetch-site': 'cross-site' },
      });
      expect(site.status).toBe(403);
    }));

  it('accepts same-origin, allow-listed origins, bearer tokens and reads', () =>
    withApp('https://app.example; https://other.example/', async (url) => {
      const post = (headers: Record<string, string>) => fetch(`${url}/api/x`, { method: 'POST', headers });
      expect((await post({ ...cookie, origin: url })).status).toBe(200);
      expect((await post({ ...cookie, origin: 'https://other.example' })).status).toBe(200);
      expect((await post({ ...cookie, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
      expect((await post({ authorization: 'Bearer t', origin: 'https://evil.example' })).status).toBe(200);
      expect((await post({ origin: 'https://evil.example' })).status).toBe(200); // no session cookie
      expect(
        (await fetch(`${url}/api/x`, { headers: { ...cookie, origin: 'https://evil.example' } })).status,
      ).toBe(200);
      expect((await post({ ...cookie, origin: 'https://evil.example' })).status).toBe(403);
    }));
});
