import { request } from 'node:http';
import { launchBrowser, screenshotPath, startStack, Stack } from '@parley/testing';
import { signUpsFrom, SignedUp } from './support/http';

const signUp = signUpsFrom('2001:db8:11e::');

/** A raw GET (node:http, not fetch: fetch would normalise the path and decode the body). */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    request({ host: target.hostname, port: target.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('the gateway public edge', () => {
  let stack: Stack;
  let gateway: string;
  let user: SignedUp;

  beforeAll(async () => {
    stack = await startStack({ copies: { auth: 1, chat: 1, 'model-gateway': 1, gateway: 1 } });
    gateway = stack.gatewayUrls[0]!;
    user = await signUp(gateway, 'Edge');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it.each([
    '/openai/%2e%2e/stats',
    '/openai/.%2e/stats',
    '/openai/%2E%2E/stats',
    '/openai/%252e%252e/stats',
    '/openai/models%2f..%2f..%2fstats',
    '/openai/http:%2f%2fevil.example%2fv1',
    '/openai/models@evil.example',
    '/openai/models%5c..%5cstats',
    '/openai/models%00',
    '/ollama/api/%2e%2e/%2e%2e/stats',
  ])('refuses the pass-through path %s with 400 and a detail', async (path) => {
    const res = await rawGet(gateway, path, { authorization: `Bearer ${user.token}` });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toMatchObject({ detail: expect.any(String) });
  });

  it('answers 404 for upstream paths Open WebUI does not proxy', async () => {
    const res = await rawGet(gateway, '/openai/stats', { authorization: `Bearer ${user.token}` });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body.toString())).toMatchObject({ detail: expect.any(String) });
  });

  it('serves metrics on the metrics port only', async () => {
    expect((await rawGet(gateway, '/metrics')).status).toBe(404);
    const metrics = await rawGet(stack.gatewayMetricsUrls[0]!, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body.toString()).toContain('service="gateway"');
    // Labelled by route pattern: the hostile paths above are one series, not one each.
    expect(metrics.body.toString()).toMatch(/route="\/openai\/\*path"/);
    expect(metrics.body.toString()).not.toMatch(/route="[^"]*%2e/i);
  });

  it('sends the security headers on the page, an asset and an API answer', async () => {
    const page = await rawGet(gateway, '/');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page.body.toString())?.[1];
    expect(asset).toBeDefined();
    const api = await rawGet(gateway, '/api/v1/chats/', { authorization: `Bearer ${user.token}` });
    expect(api.status).toBe(200);
    for (const res of [page, await rawGet(gateway, asset!), api]) {
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(res.headers['strict-transport-security']).toBeUndefined(); // plain http
    }
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(api.headers['cache-control']).toBe('no-store');
    expect(page.body.toString()).not.toMatch(/<script>/); // no inline script for the CSP to allow
  });

  it('serves assets brotli or gzip by Accept-Encoding, with Vary', async () => {
    const page = await rawGet(gateway, '/');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page.body.toString())![1]!;
    const plain = await rawGet(gateway, asset);
    const br = await rawGet(gateway, asset, { 'accept-encoding': 'gzip, deflate, br' });
    const gz = await rawGet(gateway, asset, { 'accept-encoding': 'gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    for (const res of [br, gz]) {
      expect(res.headers['content-type']).toMatch(/^text\/javascript/);
      expect(res.headers['vary']).toMatch(/Accept-Encoding/i);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.body.length).toBeLessThan(plain.body.length);
    }
    expect((await rawGet(gateway, `${asset}.map`)).body.toString()).not.toContain('"mappings"');
  });

  it('refuses a cookie-signed POST from another origin and accepts it from its own', async () => {
    const post = (origin: string) =>
      fetch(`${gateway}/api/v1/folders/`, {
        method: 'POST',
        headers: { cookie: `token=${user.token}`, origin, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Edge ${origin.length}` }),
      });
    const cross = await post('https://evil.example');
    expect(cross.status).toBe(403);
    const refusal = (await cross.json()) as { detail: string; code: string };
    expect(refusal.detail).toMatch(/Cross-site/);
    expect(refusal.code).toBe('CROSS_SITE_REQUEST');
    expect((await post(gateway)).status).toBe(200);
    const bearer = await fetch(`${gateway}/api/v1/folders/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.token}`,
        origin: 'https://evil.example',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'Edge bearer' }),
    });
    expect(bearer.status).toBe(200);
  });

  it('serves /openapi.json to anyone, cached, listing the REST routes, and sends the page size of a list', async () => {
    const res = await rawGet(gateway, '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    const document = JSON.parse(res.body.toString()) as { openapi: string; paths: Record<string, object> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/chats/', '/api/chat/completions', '/openai/{path}', '/docs']),
    );
    const list = await rawGet(gateway, '/api/v1/chats/?page=1', { authorization: `Bearer ${user.token}` });
    expect(list.headers['x-page-size']).toMatch(/^[1-9]\d*$/);
  });

  it('shows the API reference at /docs under the CSP with no violation, offline', async () => {
    const page = await rawGet(gateway, '/docs');
    expect(page.status).toBe(200);
    expect(page.body.length).toBeLessThan(2_000); // the viewer's bundle loads only when the page opens
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage();
      const violations: string[] = [];
      const foreign: string[] = [];
      tab.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      tab.on('request', (r) => {
        if (!r.url().startsWith(gateway) && !r.url().startsWith('data:')) foreign.push(r.url());
      });
      await tab.goto(`${gateway}/docs`);
      await tab.getByText('Parley REST API').first().waitFor();
      // Every tag of the document is listed (folded); opening one shows its routes.
      const document = (await (await fetch(`${gateway}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { tags?: string[] }>>;
      };
      const tags = new Set(
        Object.values(document.paths).flatMap((ops) => Object.values(ops).flatMap((op) => op.tags ?? [])),
      );
      await tab.locator('#operations-tag-operations').waitFor();
      expect(await tab.locator('.opblock-tag').count()).toBe(tags.size);
      await tab.locator('#operations-tag-chats').click();
      await tab.getByText('/api/v1/chats/new').first().waitFor();
      await tab.screenshot({ path: screenshotPath('edge-api-reference') });
      expect(violations).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('runs the SPA under the CSP with no violation, the saved theme applied before the app', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(gateway);
      await page.evaluate(() => localStorage.setItem('theme', 'dark'));
      await page.reload();
      await page
        .getByRole('button', { name: /sign in/i })
        .first()
        .waitFor();
      expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
      await page.screenshot({ path: screenshotPath('edge-csp-sign-in-dark') });
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
