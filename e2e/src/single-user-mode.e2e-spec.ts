import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, repoRoot, screenshotPath, startStack, type Stack } from '@parley/testing';
import { request } from './support/http';

interface SignedIn {
  id: string;
  email: string;
  role: string;
  token: string;
}

/**
 * Open WebUI's WEBUI_AUTH=False (single-user mode) through two gateway copies: no sign-in form, the one
 * account signed in by an empty sign-in (what Open WebUI's frontend sends), the web app opening straight
 * into the chat screen, and a clear refusal of any second account.
 */
describe('single-user mode (WEBUI_AUTH=False)', () => {
  let stack: Stack;
  let browser: Browser | undefined;
  let webDist: string;

  beforeAll(async () => {
    webDist = mkdtempSync(join(tmpdir(), 'parley-web-'));
    cpSync(join(repoRoot(), 'dist', 'web'), webDist, { recursive: true });
    stack = await startStack({
      copies: { auth: 1, chat: 1, realtime: 1, gateway: 2 },
      env: { WEBUI_AUTH: 'False', WEB_DIST_DIR: webDist },
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(webDist, { recursive: true, force: true });
  });

  it('signs the one admin in without a form on any copy, and refuses a second account', async () => {
    const [a, b] = stack.gatewayUrls as [string, string];
    const config = await request<{ features: Record<string, boolean> }>(a, 'GET', '/api/config');
    expect(config.body.features).toMatchObject({
      auth: false,
      enable_login_form: false,
      enable_signup: false,
    });

    const first = await request<SignedIn>(a, 'POST', '/api/v1/auths/signin', {
      body: { email: '', password: '' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ email: 'admin@localhost', role: 'admin', token_type: 'Bearer' });
    const again = await request<SignedIn>(b, 'POST', '/api/v1/auths/signin', { body: {} });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const me = await request<SignedIn>(b, 'GET', '/api/v1/auths/', { token: first.body.token });
    expect(me.body).toMatchObject({ id: first.body.id, role: 'admin' });

    const signUp = await request<{ detail: string }>(a, 'POST', '/api/v1/auths/signup', {
      body: { name: 'Second', email: 'second@example.com', password: 'correct horse battery' },
    });
    expect(signUp.status).toBe(409);
    expect(signUp.body.detail).toMatch(/WEBUI_AUTH=False is single-user mode/);
    const added = await request<{ detail: string }>(b, 'POST', '/api/v1/auths/add', {
      token: first.body.token,
      body: { name: 'Second', email: 'second@example.com', password: 'correct horse battery', role: 'user' },
    });
    expect(added.status).toBe(409);
    expect(added.body.detail).toMatch(/WEBUI_AUTH=False is single-user mode/);
  });

  it('opens the web app signed in, with no sign-in form', async () => {
    browser = await launchBrowser();
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 720 } })).newPage();
    await page.goto(stack.gatewayUrls[1]!);
    await page.getByRole('button', { name: 'Account menu for User' }).waitFor({ timeout: 20_000 });
    expect(await page.getByLabel('Password').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('single-user-mode') });
  });
});
