import { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshotPath, startStack, Stack } from '@parley/testing';

/**
 * The web app in a real browser (Debian's Chromium driven by playwright-core) against the stack: the
 * first visit creates the admin, a chat created in one tab appears in another, a later sign-up waits
 * for approval. Each test leaves a screenshot of its last screen in e2e/output/screenshots/.
 */
describe('the web app in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let gateway: string;

  beforeAll(async () => {
    stack = await startStack({ copies: { auth: 1, chat: 1, realtime: 1, gateway: 1 } });
    gateway = stack.gatewayUrls[0]!;
    browser = await launchBrowser();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function signUp(context: BrowserContext, name: string, email: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(gateway);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    return page;
  }

  it('makes the first visitor the admin, and a chat created in one tab appears in the other', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 650 } });
    const first = await signUp(context, 'Ada Admin', 'ada@example.com');
    await first.getByRole('button', { name: 'New chat' }).waitFor();
    expect(await first.getByText('Signed in as Ada Admin').count()).toBe(1);
    // Same browser profile, second tab: signed in through the stored session.
    const second = await context.newPage();
    await second.goto(gateway);
    await second.getByRole('button', { name: 'New chat' }).waitFor();
    expect(await second.getByRole('button', { name: 'New Chat', exact: true }).count()).toBe(0);
    // "New chat" alone is a draft and creates nothing; a chat created in one tab (the app does it on the
    // first message, this stack has no model service) shows up in the other over the socket.
    await first.getByRole('button', { name: 'New chat' }).click();
    await first.getByRole('heading', { level: 1, name: 'New Chat' }).waitFor();
    const status = await first.evaluate(() =>
      fetch('/api/v1/chats/new', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${localStorage.getItem('token')}`,
        },
        body: JSON.stringify({ chat: { title: 'Made in tab one' } }),
      }).then((r) => r.status),
    );
    expect(status).toBe(200);
    await second.getByRole('link', { name: 'Made in tab one' }).waitFor({ timeout: 5_000 });
    expect(await second.getByRole('link', { name: 'New Chat', exact: true }).count()).toBe(0);
    await second.screenshot({ path: screenshotPath('second-tab-sees-new-chat') });
    await context.close();
  });

  it('shows a later sign-up that an administrator must approve', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const page = await signUp(context, 'Bob Pending', 'bob@example.com');
    await page.getByText('waiting for an administrator', { exact: false }).waitFor();
    await page.screenshot({ path: screenshotPath('pending-user-at-360px') });
    await context.close();
  });

  it('tells a wrong password on sign-in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(gateway);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The email or password is incorrect.').waitFor();
    await page.screenshot({ path: screenshotPath('wrong-password') });
    await context.close();
  });
});
