import { BrowserContext, Locator, Page } from 'playwright-core';
import { FakeLlm, screenshotPath, Stack } from '@parley/testing';
import { BrowserChatStack, signUpInBrowser, startBrowserChatStack } from './support/browser-chat-stack';

/** Long enough to wrap in the header if the header let it; the title generator keeps 80 characters. */
const LONG_TITLE = 'A remarkably long generated title that checks the chat header stays on exactly one line';
const HTML_LOOKALIKES = [
  'Wrap it in a <div> first, then return a Vec<String>.\n\n',
  '<div class="injected">block</div>\n\n',
  'Render <App title="hi" /> now.\n\n',
  '<img src="x" onerror="window.__pwned = 1">\n\n',
  '- [ ] open task\n',
  '- [x] done task\n',
];

/**
 * The bugs issue 17 found in the web app, each in Debian's Chromium against the stack with a fake LLM:
 * a ready composer instead of empty server-side chats, the models cache shared by the chat and
 * Settings, text that looks like HTML, task-list checkboxes, a chat moved into a closed folder, the
 * header when the title arrives, the growing composer, and the model service going down and back.
 * Screenshots go to e2e/output/screenshots/.
 */
describe('issue 17 bugs in Chromium', () => {
  let env: BrowserChatStack;
  let stack: Stack;
  let fake: FakeLlm;
  let gateway: string;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    env = await startBrowserChatStack('browser-bugs', {
      models: ['gpt-fake', 'gpt-fake-mini'],
      tokens: ['Hello.'],
      tokenDelayMs: 5,
    });
    ({ stack, fake, gateway } = env);
    context = await env.browser.newContext({ viewport: { width: 1100, height: 800 } });
  }, 900_000);

  afterAll(async () => {
    await context?.close();
    await env?.stop();
  });

  const composer = (p: Page) => p.getByRole('textbox', { name: 'Message' });
  const picker = (p: Page) => p.getByRole('combobox', { name: 'Model' });
  const lastAnswer = (p: Page) => p.locator('.message-assistant').last();
  const nav = (p: Page) => p.getByRole('navigation', { name: 'Chats' });
  const isFocused = (l: Locator) => l.evaluate((el) => el === document.activeElement);

  /** A REST call from the page with its session (what the app itself would send). */
  function api<T>(
    p: Page,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    return p.evaluate(
      async ([m, url, json]) => {
        const res = await fetch(url, {
          method: m,
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${localStorage.getItem('token')}`,
          },
          ...(json === undefined ? {} : { body: json }),
        });
        return { status: res.status, body: await res.json().catch(() => null) };
      },
      [method, path, body === undefined ? undefined : JSON.stringify(body)] as const,
    );
  }

  async function send(p: Page, text: string) {
    await composer(p).fill(text);
    await composer(p).press('Enter');
  }

  it('lands on a ready composer with the default model; "New chat" creates a chat only with its first message', async () => {
    page = await context.newPage();
    await signUpInBrowser(page, gateway, {
      name: 'Ada Admin',
      email: 'ada@example.com',
      password: 'correct horse battery',
    });
    // Signed in: a composer with a model, not a "pick a chat" hint.
    await page.getByRole('heading', { level: 1, name: 'New Chat' }).waitFor();
    await picker(page).locator('option', { hasText: 'gpt-fake-mini' }).waitFor({ state: 'attached' });
    expect(await picker(page).inputValue()).toBe('gpt-fake');

    // The default model from Settings is the one a new chat starts with.
    const saved = await api(page, 'POST', '/api/v1/users/user/settings/update', {
      ui: { models: ['gpt-fake-mini'] },
    });
    expect(saved.status).toBe(200);
    await page.reload();
    await picker(page).locator('option', { hasText: 'gpt-fake-mini' }).waitFor({ state: 'attached' });

    for (let i = 0; i < 3; i++) {
      await nav(page).getByRole('button', { name: 'New chat', exact: true }).click();
      // The focus goes to the composer, not left on the button.
      await page.waitForFunction(
        () => document.activeElement?.getAttribute('placeholder') === 'Send a message',
      );
    }
    expect(await isFocused(composer(page))).toBe(true);
    expect(await picker(page).inputValue()).toBe('gpt-fake-mini');
    // Three presses, no chat on the server and no empty "New Chat" rows.
    expect((await api<unknown[]>(page, 'GET', '/api/v1/chats/')).body).toEqual([]);
    expect(await nav(page).getByRole('link', { name: 'New Chat' }).count()).toBe(0);
    expect(new URL(page.url()).hash).toBe('');
    await page.screenshot({ path: screenshotPath('bugs-new-chat-ready-composer') });

    // The first message creates the chat and the answer streams into it.
    fake.set({ tokens: [LONG_TITLE], tokenDelayMs: 5 });
    await page.keyboard.type('Hello there');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.hash.startsWith('#/c/'));
    await lastAnswer(page).getByText(LONG_TITLE.slice(0, 30), { exact: false }).waitFor({ timeout: 15_000 });
    const chats = (await api<{ id: string }[]>(page, 'GET', '/api/v1/chats/')).body;
    expect(chats).toHaveLength(1);
    expect(new URL(page.url()).hash).toBe(`#/c/${chats[0]!.id}`);
    expect(fake.stats.requestBodies.some((b) => b['model'] === 'gpt-fake-mini')).toBe(true);
    expect(await page.getByText('Hello there', { exact: true }).count()).toBe(1);
  });

  it('keeps the header still when the generated title arrives', async () => {
    // The previous test's chat got its title by now or gets it in a moment; a fresh chat shows the change.
    fake.set({ tokens: [LONG_TITLE], tokenDelayMs: 200 });
    await nav(page).getByRole('button', { name: 'New chat', exact: true }).click();
    await send(page, 'Another one, please.');
    await page.waitForURL((url) => url.hash.startsWith('#/c/'));
    const header = page.locator('.chat-header');
    const log = page.getByRole('log', { name: 'Messages' });
    await log.waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('New Chat');
    const before = { header: await header.boundingBox(), log: await log.boundingBox() };
    await page
      .getByRole('heading', { level: 1, name: /A remarkably long generated title/ })
      .waitFor({ timeout: 20_000 });
    const after = { header: await header.boundingBox(), log: await log.boundingBox() };
    expect(after.header!.height).toBe(before.header!.height);
    expect(after.log!.y).toBe(before.log!.y);
    // Cut with an ellipsis; the whole title shows on hover.
    const title = page.getByRole('heading', { level: 1 });
    expect(await title.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await title.getAttribute('title')).toMatch(/^A remarkably long generated title/);
    await page.getByRole('button', { name: 'Send' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: screenshotPath('bugs-header-after-title') });
  });

  it('opens Settings and Admin → Presets after a chat, and the chat still has its models after them', async () => {
    const chatUrl = page.url();
    await picker(page).locator('option', { hasText: 'gpt-fake-mini' }).waitFor({ state: 'attached' });
    await page.goto(`${gateway}/#/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const defaultModel = page.getByRole('combobox', { name: 'Model for new chats' });
    await defaultModel.locator('option', { hasText: 'gpt-fake-mini' }).waitFor({ state: 'attached' });
    expect(await page.getByText('This page could not be loaded', { exact: false }).count()).toBe(0);
    expect(await defaultModel.inputValue()).toBe('gpt-fake-mini');
    await page.screenshot({ path: screenshotPath('bugs-settings-after-chat') });

    await page.goto(`${gateway}/#/admin/presets`);
    const base = page.getByRole('combobox', { name: 'Base model' });
    await base.locator('option', { hasText: 'gpt-fake' }).first().waitFor({ state: 'attached' });
    expect(await page.getByText('This page could not be loaded', { exact: false }).count()).toBe(0);

    await page.goto(chatUrl);
    await picker(page).locator('option', { hasText: 'gpt-fake-mini' }).waitFor({ state: 'attached' });
    expect(await picker(page).locator('option').allTextContents()).toEqual(['gpt-fake', 'gpt-fake-mini']);
    expect(await page.getByText('No models available', { exact: false }).count()).toBe(0);
    expect(await composer(page).isEnabled()).toBe(true);
  });

  it('shows text that looks like HTML as text, never as markup, and task lists with small checkboxes', async () => {
    fake.set({ tokens: HTML_LOOKALIKES, tokenDelayMs: 5 });
    await send(page, 'Show me some tags.');
    const answer = lastAnswer(page);
    await answer.getByText('open task').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Send' }).waitFor({ timeout: 15_000 });
    const text = (await answer.locator('.markdown').textContent()) ?? '';
    expect(text).toContain('Wrap it in a <div> first, then return a Vec<String>.');
    expect(text).toContain('<div class="injected">block</div>');
    expect(text).toContain('Render <App title="hi" /> now.');
    expect(text).toContain('<img src="x" onerror="window.__pwned = 1">');
    expect(await answer.locator('.injected, img, app').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

    const boxes = answer.getByRole('checkbox');
    expect(await boxes.count()).toBe(2);
    for (const box of await boxes.all()) {
      const size = await box.boundingBox();
      expect(size!.width).toBeLessThanOrEqual(20);
      expect(size!.height).toBeLessThanOrEqual(20);
      // On the line of its text, not floating apart.
      const line = await box.locator('xpath=..').boundingBox();
      expect(size!.y).toBeGreaterThanOrEqual(line!.y - 2);
      expect(size!.y + size!.height).toBeLessThanOrEqual(line!.y + line!.height + 2);
    }
    expect(await boxes.nth(1).isChecked()).toBe(true);
    await answer.screenshot({ path: screenshotPath('bugs-html-as-text-and-task-list') });
  });

  it('opens a closed folder to show a chat moved into it', async () => {
    await nav(page).getByRole('button', { name: 'New folder' }).click();
    await nav(page).getByRole('textbox', { name: 'Folder name' }).fill('Work');
    await nav(page).getByRole('textbox', { name: 'Folder name' }).press('Enter');
    const folderToggle = nav(page).getByRole('button', { name: 'Work', exact: true });
    await folderToggle.waitFor();
    expect(await folderToggle.getAttribute('aria-expanded')).toBe('false');

    // Both chats may carry the same generated title: find this one by its address.
    const link = nav(page).getByRole('list', { name: 'Your chats' }).getByRole('link').first();
    const title = (await link.textContent())!;
    const href = (await link.getAttribute('href'))!;
    const row = (list: string) =>
      nav(page).getByRole('list', { name: list }).locator(`li.chat-row:has(a[href="${href}"])`);
    await row('Your chats')
      .getByRole('button', { name: `Actions for ${title}` })
      .click();
    await nav(page).getByRole('button', { name: 'Pin' }).click();
    await row('Pinned').waitFor();

    await row('Pinned')
      .getByRole('button', { name: `Actions for ${title}` })
      .click();
    await nav(page).getByRole('combobox', { name: 'Move to folder' }).selectOption({ label: 'Work' });
    await row('Work').waitFor();
    expect(await folderToggle.getAttribute('aria-expanded')).toBe('true');
    // Open WebUI's rule (a chat in a folder is not pinned), said rather than done silently.
    await nav(page).getByText('Moved to Work; chats in folders are not pinned.').waitFor();
    expect(await nav(page).getByRole('list', { name: 'Pinned' }).count()).toBe(0);
    await page.screenshot({ path: screenshotPath('bugs-moved-into-closed-folder') });
    // The folder stays open across a reload: the server keeps it (Open WebUI's is_expanded).
    await page.reload();
    await row('Work').waitFor();
  });

  it('grows the composer with its text up to a limit, then scrolls', async () => {
    const box = composer(page);
    await box.fill('one line');
    const one = (await box.boundingBox())!.height;
    await box.fill(['1', '2', '3', '4', '5', '6'].join('\n'));
    const six = (await box.boundingBox())!.height;
    expect(six).toBeGreaterThan(one * 2);
    await box.fill(Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\n'));
    const sixty = (await box.boundingBox())!.height;
    expect(sixty).toBeGreaterThan(six);
    expect(sixty).toBeLessThanOrEqual(800 * 0.4 + 1);
    expect(await box.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    // The send button and the thread stay on screen.
    const send = (await page.getByRole('button', { name: 'Send' }).boundingBox())!;
    expect(send.y + send.height).toBeLessThanOrEqual(800);
    await page.screenshot({ path: screenshotPath('bugs-composer-grown') });
    await box.fill('');
    expect((await box.boundingBox())!.height).toBe(one);
  });

  it('says the model service is unavailable while it is down, and recovers when it is back', async () => {
    await stack.services['model-gateway']![0]!.stop('SIGTERM');
    expect((await api(page, 'GET', '/api/models')).status).toBe(503);
    await page.reload();
    await page.getByRole('alert').getByText('The model service is unavailable.', { exact: false }).waitFor({
      timeout: 20_000,
    });
    expect(await picker(page).locator('option').allTextContents()).toEqual(['Unavailable']);
    expect(await page.getByText('Ask an administrator', { exact: false }).count()).toBe(0);
    // Try again sits on the header's one line.
    const retry = (await page.getByRole('button', { name: 'Try again' }).boundingBox())!;
    expect(retry.height).toBeLessThan(48);
    await page.screenshot({ path: screenshotPath('bugs-model-service-down') });

    await stack.restart('model-gateway');
    await page.getByRole('button', { name: 'Try again' }).click();
    await picker(page)
      .locator('option', { hasText: 'gpt-fake-mini' })
      .waitFor({ state: 'attached', timeout: 20_000 });
    expect(await page.getByText('The model service is unavailable.', { exact: false }).count()).toBe(0);
    await composer(page).fill('Back again?');
    expect(await page.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true);
  });
});
