import { randomUUID } from 'node:crypto';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { FakeLlm, launchBrowser, screenshotPath, Stack, startFakeLlm, startStack } from '@parley/testing';
import { signUp } from './support/http';

const PASSWORD = 'correct horse battery';

/**
 * Sharing in a real browser: Ada shares a chat, Bob (signed out) opens the `/s/<id>` link, signs in,
 * reads it at 360 px and saves a copy into his chats; once Ada stops sharing, the link says so.
 * Screenshots go to e2e/output/screenshots/.
 */
describe('shared chats in Chromium', () => {
  let stack: Stack;
  let fake: FakeLlm;
  let browser: Browser;
  let gateway: string;
  let ada: BrowserContext;
  let bob: BrowserContext;
  let adaPage: Page;
  let shareUrl: string;
  const bobEmail = `bob-${randomUUID()}@example.com`;

  beforeAll(async () => {
    fake = await startFakeLlm({
      models: ['gpt-fake'],
      tokens: ['Knead the dough ', 'for **ten minutes**.'],
      tokenDelayMs: 10,
    });
    const cluster = `browser-sharing-${randomUUID().slice(0, 8)}`;
    stack = await startStack({
      copies: { auth: 1, chat: 1, 'model-gateway': 1, realtime: 1, gateway: 1 },
      env: {
        OPENAI_API_BASE_URLS: fake.openaiBaseUrl,
        OPENAI_API_KEYS: '',
        ENABLE_OLLAMA_API: 'false',
        DEFAULT_USER_ROLE: 'user',
        REALTIME_CLUSTER: cluster,
        MODEL_GATEWAY_CLUSTER: cluster,
        CHAT_TASK_SAVE_INTERVAL_MS: '100',
      },
    });
    gateway = stack.gatewayUrls[0]!;
    browser = await launchBrowser();
    ada = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    await ada.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gateway });
    bob = await browser.newContext({ viewport: { width: 360, height: 740 } });
  }, 900_000);

  afterAll(async () => {
    await bob?.close();
    await ada?.close();
    await browser?.close();
    await stack?.stop();
    await fake?.close();
  });

  it('shares a chat that a second user opens through the link after signing in, and copies', async () => {
    adaPage = await ada.newPage();
    await adaPage.goto(gateway);
    await adaPage.getByRole('button', { name: 'Sign up' }).click();
    await adaPage.getByLabel('Name').fill('Ada Admin');
    await adaPage.getByLabel('Email').fill('ada@example.com');
    await adaPage.getByLabel('Password').fill(PASSWORD);
    await adaPage.getByRole('button', { name: 'Create account' }).click();
    // Bob's account, from its own documentation address (the per-IP sign-up limit).
    await signUp(gateway, 'Bob Reader', bobEmail, PASSWORD, { 'x-forwarded-for': '2001:db8:5:3::1' });

    await adaPage.getByRole('button', { name: 'New chat' }).click();
    await adaPage
      .getByRole('combobox', { name: 'Model' })
      .locator('option', { hasText: 'gpt-fake' })
      .waitFor({ state: 'attached' });
    const composer = adaPage.getByRole('textbox', { name: 'Message' });
    await composer.fill('How long do I knead bread?');
    await composer.press('Enter');
    await adaPage
      .locator('.message-assistant strong', { hasText: 'ten minutes' })
      .waitFor({ timeout: 30_000 });
    await adaPage.getByRole('button', { name: 'Send' }).waitFor();
    // The title is written from the first answer and arrives as chat:title.
    const heading = adaPage.getByRole('heading', { level: 1, name: /Knead/ });
    await heading.waitFor({ timeout: 30_000 });
    const title = ((await heading.textContent()) ?? '').trim();

    const nav = adaPage.getByRole('navigation', { name: 'Chats' });
    await nav.getByRole('button', { name: `Actions for ${title}` }).click();
    await nav.getByRole('button', { name: 'Copy share link' }).click();
    const notice = await nav.getByText('Share link copied:').textContent();
    shareUrl = /(https?:\/\/\S+\/s\/\S+)/.exec(notice ?? '')![1]!;
    expect(await adaPage.evaluate<string>('navigator.clipboard.readText()')).toBe(shareUrl);
    await nav.getByRole('button', { name: `Actions for ${title}` }).click();
    await nav.getByRole('button', { name: 'Stop sharing' }).waitFor();
    await adaPage.keyboard.press('Escape');

    // Bob is signed out: the link shows the sign-in form, then the shared chat.
    const page = await bob.newPage();
    await page.goto(shareUrl);
    await page.getByLabel('Email').fill(bobEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const shared = page.getByRole('article', { name: title });
    await shared.getByText('How long do I knead bread?').waitFor();
    await shared.locator('strong', { hasText: 'ten minutes' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/s\//);
    expect(await shared.getByRole('button', { name: 'Regenerate' }).count()).toBe(0);
    expect(await page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    // Nothing sticks out sideways at 360 px.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: screenshotPath('shared-chat-at-360px'), fullPage: true });

    await page.getByRole('button', { name: 'Save a copy to my chats' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(new URL(page.url()).hash).toMatch(/^#\/c\//);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.locator('.message-assistant strong', { hasText: 'ten minutes' }).waitFor();
    await page.getByRole('button', { name: 'Show chats' }).click();
    await page.getByRole('navigation', { name: 'Chats' }).getByRole('link', { name: title }).waitFor();
    await page.screenshot({ path: screenshotPath('shared-chat-copied-by-bob') });

    // Bob tags his copy from its menu (keyboard only); the tag on the row searches tag:<name>.
    const bobNav = page.getByRole('navigation', { name: 'Chats' });
    const copyTitle = ((await bobNav.getByRole('link').first().textContent()) ?? '').trim();
    await bobNav.getByRole('button', { name: `Actions for ${copyTitle}` }).focus();
    await page.keyboard.press('Enter');
    await bobNav.getByRole('button', { name: 'Edit tags' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('baking');
    await page.keyboard.press('Enter');
    const editor = bobNav.getByRole('group', { name: `Tags of ${copyTitle}` });
    await editor.getByRole('button', { name: 'Remove tag baking' }).waitFor();
    await page.screenshot({ path: screenshotPath('sidebar-tag-editor-at-360px') });
    await editor.getByRole('button', { name: 'Done' }).click();
    await bobNav.getByRole('button', { name: 'Show chats tagged baking' }).click();
    await expect(bobNav.getByRole('searchbox', { name: 'Search chats' }).inputValue()).resolves.toBe(
      'tag:baking',
    );
    await bobNav
      .getByRole('list', { name: 'Search results' })
      .getByRole('link', { name: copyTitle })
      .waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: screenshotPath('sidebar-tag-search-at-360px') });
  });

  it('tells the visitor when the chat is no longer shared', async () => {
    const nav = adaPage.getByRole('navigation', { name: 'Chats' });
    const title = ((await adaPage.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();
    await nav.getByRole('button', { name: `Actions for ${title}` }).click();
    await nav.getByRole('button', { name: 'Stop sharing' }).click();
    await nav.getByText('The chat is no longer shared.').waitFor();

    const page = await bob.newPage();
    await page.goto(shareUrl);
    await page.getByRole('heading', { name: 'Shared chat not found' }).waitFor();
    await page.screenshot({ path: screenshotPath('shared-chat-gone') });
  });
});
