import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import {
  FakeLlm,
  launchBrowser,
  repoRoot,
  screenshotPath,
  startFakeLlm,
  startStack,
  Stack,
} from '@parley/testing';

/**
 * Settings and admin screens in a real browser (Debian's Chromium driven by playwright-core) against
 * the stack and a fake LLM: approving a pending user, an API key's life, the dark theme across a
 * reload, a connection added and verified. Each test leaves a screenshot in e2e/output/screenshots/.
 */
describe('settings and admin screens in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let llm: FakeLlm;
  let gateway: string;
  let webDist: string | undefined;
  let admin: BrowserContext;
  let adminPage: Page;
  const PASSWORD = 'correct horse battery';
  // Sign-in limits count per client address; every browser context gets its own documentation address.
  let address = 0;
  const nextAddress = () => `2001:db8:7:${(process.pid % 0xffff).toString(16)}::${(++address).toString(16)}`;

  beforeAll(async () => {
    llm = await startFakeLlm({ models: ['fake-model'] });
    // A copy of the built app: others rebuild dist/web while this runs, and a lazy chunk of the old
    // build would then be gone.
    webDist = mkdtempSync(join(tmpdir(), 'parley-web-'));
    cpSync(join(repoRoot(), 'dist', 'web'), webDist, { recursive: true });
    stack = await startStack({
      copies: { auth: 1, chat: 1, 'model-gateway': 1, realtime: 1, gateway: 1 },
      env: { REALTIME_CLUSTER: `admin-settings-${randomUUID().slice(0, 8)}`, WEB_DIST_DIR: webDist },
    });
    gateway = stack.gatewayUrls[0]!;
    browser = await launchBrowser();
    admin = await newContext(1100, 720);
    adminPage = await signUp(admin, 'Ada Admin', 'ada@example.com');
    await adminPage.getByRole('button', { name: 'Account menu for Ada Admin' }).waitFor();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await llm?.close();
    if (webDist) rmSync(webDist, { recursive: true, force: true });
  });

  function newContext(width: number, height: number): Promise<BrowserContext> {
    return browser.newContext({
      viewport: { width, height },
      extraHTTPHeaders: { 'X-Forwarded-For': nextAddress() },
    });
  }

  async function signUp(context: BrowserContext, name: string, email: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(gateway);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    return page;
  }

  /** Opens an entry of the account menu with the keyboard only. */
  async function openFromMenu(page: Page, name: string, entry: 'Settings' | 'Admin panel') {
    const button = page.getByRole('button', { name: `Account menu for ${name}` });
    await button.focus();
    await page.keyboard.press('Enter');
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    const link = page.getByRole('link', { name: entry });
    await link.focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('heading', { level: 1, name: entry === 'Settings' ? 'Settings' : 'Administration' })
      .waitFor();
  }

  /** The session token the app keeps in localStorage (Open WebUI's place for it). */
  async function tokenOf(page: Page): Promise<string> {
    const token = await page.evaluate<string | null>(`localStorage.getItem('token')`);
    if (!token) throw new Error('the page holds no token');
    return token;
  }

  async function get(path: string, token: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(gateway + path, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  async function post(
    path: string,
    token: string,
    body: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const res = await fetch(gateway + path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  it('lets the admin approve a pending user, who then gets in', async () => {
    const pending = await newContext(360, 640);
    const bob = await signUp(pending, 'Bob Pending', 'bob@example.com');
    await bob.getByText('waiting for an administrator', { exact: false }).waitFor();
    const bobToken = await tokenOf(bob);
    // The server refuses the admin routes to a pending user whatever the screen shows.
    expect((await get('/api/v1/users/', bobToken)).status).toBe(403);

    await openFromMenu(adminPage, 'Ada Admin', 'Admin panel');
    await adminPage.getByRole('button', { name: 'Approve Bob Pending' }).click();
    // Locators, not waitForFunction: the page's CSP (script-src 'self') forbids the eval it needs.
    await adminPage
      .locator('select[aria-label="Role of Bob Pending"] option[value="user"]:checked')
      .waitFor({ state: 'attached' });
    expect(await adminPage.getByRole('button', { name: 'Approve Bob Pending' }).count()).toBe(0);
    await adminPage.screenshot({ path: screenshotPath('admin-approved-user') });

    // Approval is a role change, which ends the pending session: Bob signs in again and is in.
    await bob.getByRole('button', { name: 'Check again' }).click();
    await bob.getByRole('button', { name: /^(Sign in|Account menu for Bob Pending)$/ }).waitFor();
    if (await bob.getByRole('button', { name: 'Sign in', exact: true }).count()) {
      await bob.getByLabel('Email').fill('bob@example.com');
      await bob.getByLabel('Password').fill(PASSWORD);
      await bob.getByRole('button', { name: 'Sign in', exact: true }).click();
    }
    await bob.getByRole('button', { name: 'Account menu for Bob Pending' }).waitFor();
    // A normal user has no admin entry, and the server still refuses the admin routes.
    await bob.getByRole('button', { name: 'Account menu for Bob Pending' }).click();
    await bob.getByRole('link', { name: 'Settings' }).waitFor();
    expect(await bob.getByRole('link', { name: 'Admin panel' }).count()).toBe(0);
    const userToken = await tokenOf(bob);
    expect((await get('/api/v1/users/', userToken)).status).toBe(403);
    await bob.screenshot({ path: screenshotPath('approved-user-menu-at-360px') });
    await pending.close();
  });

  it('creates an API key that works against the API until it is revoked', async () => {
    await adminPage.goto(`${gateway}/#/settings`);
    await adminPage.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await adminPage.getByRole('button', { name: 'Create API key' }).click();
    const shown = adminPage.getByLabel('Your new API key. Copy it now: it will not be shown again.');
    const key = await shown.inputValue();
    expect(key).toMatch(/^sk-[0-9a-f]{48}$/);
    await adminPage.locator('.fresh-key').screenshot({ path: screenshotPath('settings-api-key-shown-once') });
    await adminPage.getByRole('button', { name: 'Done' }).click();
    const masked = await adminPage.getByTestId('masked-api-key').textContent();
    expect(masked).not.toContain(key);
    expect(key.startsWith(masked!.replace(/•+$/, ''))).toBe(true);
    expect(await adminPage.content()).not.toContain(key);

    const me = await get('/api/v1/auths/', key);
    expect(me).toMatchObject({ status: 200, body: { email: 'ada@example.com', role: 'admin' } });

    await adminPage.getByRole('button', { name: 'Revoke', exact: true }).click();
    await adminPage.getByRole('button', { name: 'Revoke key' }).click();
    await adminPage.getByText('You have no API key.').waitFor();
    // Revocation reaches every gateway copy within a second.
    let status = 0;
    for (let i = 0; i < 30 && status !== 401; i++) {
      status = (await get('/api/v1/auths/', key)).status;
      if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(401);
    await adminPage.screenshot({ path: screenshotPath('settings-api-key-revoked') });
  });

  it('keeps per-user settings on the server through the gateway', async () => {
    const token = await tokenOf(adminPage);
    // Open WebUI answers null until the user saves settings.
    expect(await get('/api/v1/users/user/settings', token)).toEqual({ status: 200, body: null });
    const saved = await post('/api/v1/users/user/settings/update', token, { ui: { models: ['m-1'] } });
    expect(saved).toEqual({ status: 200, body: { ui: { models: ['m-1'] } } });
    expect(await get('/api/v1/users/user/settings', token)).toEqual(saved);
    expect(await post('/api/v1/users/user/settings/update', token, ['not', 'an', 'object'])).toEqual({
      status: 400,
      body: { detail: 'The settings must be a JSON object.', code: 'INVALID_ARGUMENT' },
    });
    expect(await post('/api/v1/users/user/settings/update', token, { big: 'x'.repeat(70_000) })).toEqual({
      status: 400,
      body: { detail: 'The settings are larger than 64 KiB.', code: 'INVALID_ARGUMENT' },
    });
    expect((await fetch(`${gateway}/api/v1/users/user/settings`)).status).toBe(401);
    await post('/api/v1/users/user/settings/update', token, {});
  });

  it('switches to the dark theme, which stays after a reload', async () => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      extraHTTPHeaders: { 'X-Forwarded-For': nextAddress() },
      storageState: await admin.storageState(),
    });
    const page = await context.newPage();
    await page.goto(`${gateway}/#/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const background = () => page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
    const light = await background();
    await page.getByRole('radio', { name: 'Dark' }).check();
    expect(await page.evaluate<string>('document.documentElement.className')).toContain('dark');
    expect(await background()).not.toBe(light);
    await page.reload();
    // Dark from the first paint: the inline script in index.html sets the class before the app runs.
    expect(await page.evaluate(`document.documentElement.classList.contains('dark')`)).toBe(true);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect(await page.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);
    await page.getByText('You have no API key.').waitFor();
    // Usable at 360 px: nothing wider than the screen.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.screenshot({ path: screenshotPath('settings-dark-at-360px'), fullPage: true });
    await page.goto(`${gateway}/#/admin/users`);
    await page.getByRole('combobox', { name: 'Role of Bob Pending' }).waitFor();
    await page.screenshot({ path: screenshotPath('admin-users-dark-at-360px'), fullPage: true });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await context.close();
  });

  it('adds a connection to an LLM server, sees it verified, and its model becomes the default', async () => {
    await adminPage.goto(`${gateway}/#/admin/connections`);
    const openai = adminPage.getByRole('region', { name: 'OpenAI-compatible connections' });
    await openai.getByLabel('Base URL').fill(llm.openaiBaseUrl);
    await openai.getByLabel('API key (optional)').fill('sk-fake-upstream');
    await openai.getByRole('button', { name: 'Add connection' }).click();
    await openai.getByText('Connection verified. Models offered: 1.').waitFor();
    // After a reload the key is only known masked; testing the stored connection still works.
    await adminPage.reload();
    await openai.getByRole('button', { name: `Test ${llm.openaiBaseUrl}` }).click();
    await openai.getByText('Connection verified. Models offered: 1.').waitFor();
    await adminPage.screenshot({ path: screenshotPath('admin-connection-verified'), fullPage: true });

    const token = await tokenOf(adminPage);
    // The model list is cached for a moment; the new connection's model shows up within seconds.
    let ids: string[] = [];
    for (let i = 0; i < 40 && !ids.includes('fake-model'); i++) {
      const models = await get('/api/models', token);
      ids = ((models.body as { data?: Array<{ id: string }> }).data ?? []).map((m) => m.id);
      if (!ids.includes('fake-model')) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(ids).toContain('fake-model');

    // A dead upstream says so.
    await openai.getByLabel('Base URL').fill('http://127.0.0.1:9/v1');
    await openai.getByRole('button', { name: 'Add connection' }).click();
    await openai.getByText('Connection failed', { exact: false }).waitFor({ timeout: 20_000 });
    await openai.getByRole('button', { name: 'Remove http://127.0.0.1:9/v1' }).click();
    await openai.getByRole('button', { name: 'Remove', exact: true }).click();
    await adminPage.getByText('http://127.0.0.1:9/v1').first().waitFor({ state: 'detached' });

    await adminPage.goto(`${gateway}/#/settings`);
    const select = adminPage.getByLabel('Model for new chats');
    await adminPage.getByRole('option', { name: 'fake-model' }).waitFor({ state: 'attached' });
    await select.selectOption('fake-model');
    await adminPage.getByText('Default model saved.').waitFor();
    await adminPage.reload();
    await adminPage.getByRole('option', { name: 'fake-model' }).waitFor({ state: 'attached' });
    expect(await adminPage.getByLabel('Model for new chats').inputValue()).toBe('fake-model');
    expect(await get('/api/v1/users/user/settings', token)).toEqual({
      status: 200,
      body: { ui: { models: ['fake-model'] } },
    });
  });
  it('makes a preset on the connected model, and shows the tokens it used', async () => {
    await adminPage.goto(`${gateway}/#/admin/presets`);
    await adminPage.getByText('No presets yet.').waitFor();
    await adminPage.getByLabel('Model id').fill('brief-helper');
    await adminPage.getByLabel('Display name').fill('Brief helper');
    await adminPage.getByRole('option', { name: 'fake-model' }).waitFor({ state: 'attached' });
    await adminPage.getByLabel('Base model').selectOption('fake-model');
    await adminPage.getByLabel('System prompt (optional)').fill('Answer in one line.');
    await adminPage.getByRole('button', { name: 'Create preset' }).click();
    await adminPage.getByText('brief-helper ← fake-model').waitFor();

    const token = await tokenOf(adminPage);
    const answer = await post('/api/chat/completions', token, {
      model: 'brief-helper',
      stream: false,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(answer.status).toBe(200);

    // Usage is recorded after the answer; the screen shows it once it is there.
    await adminPage.goto(`${gateway}/#/admin/usage`);
    const table = adminPage.getByRole('table', { name: 'Token usage' });
    for (let i = 0; i < 20 && !(await table.count()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await adminPage.reload();
      await adminPage.getByRole('heading', { level: 2, name: 'Token usage' }).waitFor();
    }
    await table.getByRole('cell', { name: 'Ada Admin' }).first().waitFor();
    await adminPage.screenshot({ path: screenshotPath('admin-usage'), fullPage: true });
  });
});
