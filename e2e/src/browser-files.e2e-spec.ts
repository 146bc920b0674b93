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
  Stack,
  startFakeLlm,
  startStack,
} from '@parley/testing';

/** Big enough that, at the throttled upload rate below, its progress bar is on screen for seconds. */
const DOCUMENT_BYTES = 400 * 1024;
/** Bytes per second the browser may send while the document uploads (DevTools network emulation). */
const THROTTLED_UPLOAD = 100 * 1024;

/**
 * Files in the chat view, in a real browser (Debian's Chromium) against the stack with the files
 * service: a document by the attach button (its progress bar, then its processing state), an image
 * by paste (thumbnail, viewer) and one by drop, the message sent with both, and their chips on the sent message;
 * Settings → Files lists and deletes them; and the composer with chips at 360 px. Screenshots go
 * to e2e/output/screenshots/.
 */
describe('files in the chat view, in Chromium', () => {
  let stack: Stack;
  let fake: FakeLlm;
  let browser: Browser;
  let gateway: string;
  let context: BrowserContext;
  let page: Page;
  let webDist: string | undefined;

  beforeAll(async () => {
    // A copy of the built app: others rebuild dist/web while this runs, and a lazy chunk (the settings
    // screen) of the old build would then be gone.
    webDist = mkdtempSync(join(tmpdir(), 'parley-web-'));
    cpSync(join(repoRoot(), 'dist', 'web'), webDist, { recursive: true });
    fake = await startFakeLlm({ models: ['gpt-fake'], tokens: ['Got ', 'them.'], tokenDelayMs: 10 });
    const cluster = `browser-files-${randomUUID().slice(0, 8)}`;
    stack = await startStack({
      copies: { auth: 1, chat: 1, files: 1, 'model-gateway': 1, realtime: 1, gateway: 1 },
      env: {
        OPENAI_API_BASE_URLS: fake.openaiBaseUrl,
        OPENAI_API_KEYS: '',
        ENABLE_OLLAMA_API: 'false',
        REALTIME_CLUSTER: cluster,
        MODEL_GATEWAY_CLUSTER: cluster,
        RAG_FILE_MAX_SIZE: '1',
        WEB_DIST_DIR: webDist,
        // The fake upstream keeps the last request it got: no title request after the answer.
        ENABLE_TITLE_GENERATION: 'false',
      },
    });
    gateway = stack.gatewayUrls[0]!;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    page = await context.newPage();
  }, 900_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
    await fake?.close();
    if (webDist) rmSync(webDist, { recursive: true, force: true });
  });

  const composer = (p: Page) => p.getByRole('textbox', { name: 'Message' });
  const toSend = (p: Page) => p.getByRole('list', { name: 'Files to send' });

  /**
   * A PNG drawn by the browser itself, handed over as a user would: pasted into the message box, or
   * dropped onto the chat.
   */
  async function giveImage(p: Page, name: string, how: 'paste' | 'drop') {
    await composer(p).focus();
    await p.evaluate(
      async ({ fileName, gesture }) => {
        const canvas = document.createElement('canvas');
        canvas.width = 320;
        canvas.height = 200;
        const g = canvas.getContext('2d')!;
        g.fillStyle = '#2f5bd3';
        g.fillRect(0, 0, 320, 200);
        g.fillStyle = '#ffd23f';
        g.beginPath();
        g.arc(160, 100, 60, 0, Math.PI * 2);
        g.fill();
        const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
        const data = new DataTransfer();
        data.items.add(new File([blob], fileName, { type: 'image/png' }));
        const init = { bubbles: true, cancelable: true };
        if (gesture === 'paste') {
          document.activeElement!.dispatchEvent(
            new ClipboardEvent('paste', { ...init, clipboardData: data }),
          );
        } else {
          const target = document.querySelector('.chat-view')!;
          target.dispatchEvent(new DragEvent('dragover', { ...init, dataTransfer: data }));
          target.dispatchEvent(new DragEvent('drop', { ...init, dataTransfer: data }));
        }
      },
      { fileName: name, gesture: how },
    );
  }

  it('attaches a document by the button and an image by paste, sends them, and shows them on the message', async () => {
    await page.goto(gateway);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByLabel('Name').fill('Ada Admin');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    // A ready composer: the chat is created by its first message.
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByRole('heading', { level: 1, name: 'New Chat' }).waitFor();
    await page.getByRole('combobox', { name: 'Model' }).locator('option', { hasText: 'gpt-fake' }).waitFor({
      state: 'attached',
    });

    // Slow the upload down so its progress can be seen (and asserted) on the way.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: THROTTLED_UPLOAD,
    });
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach files' }).click();
    const lines = Array.from({ length: DOCUMENT_BYTES / 64 }, (_, i) => `line ${i}`.padEnd(63, '.')).join(
      '\n',
    );
    await (
      await chooser
    ).setFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(lines.padEnd(DOCUMENT_BYTES, '.')),
    });

    const progress = toSend(page).getByRole('progressbar', { name: 'Uploading notes.txt' });
    await progress.waitFor();
    await page.waitForFunction(() => {
      const bar = document.querySelector<HTMLProgressElement>('progress.file-progress');
      return bar !== null && bar.value > 0 && bar.value < 100;
    });
    // Sending waits for the file.
    await composer(page).fill('What is in these?');
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('files-upload-progress') });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    const chip = toSend(page).getByRole('listitem').filter({ hasText: 'notes.txt' });
    await chip.getByRole('status').filter({ hasText: 'Reading the file…' }).waitFor();
    await page.screenshot({ path: screenshotPath('files-processing') });
    await progress.waitFor({ state: 'detached' });
    await chip.getByRole('status').waitFor({ state: 'detached', timeout: 20_000 });

    await giveImage(page, 'circle.png', 'paste');
    const imageChip = toSend(page).getByRole('listitem').filter({ hasText: 'circle.png' });
    await imageChip.getByRole('button', { name: 'Enlarge circle.png' }).waitFor();
    await imageChip.getByRole('progressbar').waitFor({ state: 'detached', timeout: 20_000 });
    await imageChip.getByRole('status').waitFor({ state: 'detached', timeout: 20_000 });
    await page.getByRole('button', { name: 'Send' }).waitFor();
    await page.waitForFunction(
      () => !(document.querySelector('form.composer button.primary') as HTMLButtonElement | null)?.disabled,
    );
    await page.screenshot({ path: screenshotPath('files-ready-to-send') });

    await composer(page).press('Enter');
    const sent = page.locator('.message-user').last();
    const sentFiles = sent.getByRole('list', { name: 'Attached files' });
    await sentFiles.getByText('notes.txt').waitFor();
    await sentFiles.getByRole('button', { name: 'Enlarge circle.png' }).waitFor();
    await toSend(page).waitFor({ state: 'detached' });
    await page.locator('.message-assistant').last().getByText('Got them.').waitFor({ timeout: 15_000 });
    // What the model got: the pasted image as an image part, the document's text as context.
    const sentToModel = fake.stats.lastRequest?.body as {
      messages: Array<{ role: string; content: unknown }>;
    };
    const lastUser = sentToModel.messages.filter((m) => m.role === 'user').pop()!;
    const parts = lastUser.content as Array<{ type: string; text?: string; image_url?: { url: string } }>;
    expect(
      parts.some((p) => p.type === 'image_url' && p.image_url!.url.startsWith('data:image/png;base64,')),
    ).toBe(true);
    expect(JSON.stringify(sentToModel.messages)).toContain('notes.txt');

    // The thumbnail on the sent message loads the stored bytes (the session cookie authorises it).
    const thumb = sentFiles.locator('img').first();
    await page.waitForFunction(
      (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth === 320,
      await thumb.elementHandle(),
    );
    await page.screenshot({ path: screenshotPath('files-sent-message') });

    // The files stay with the message: a reload shows them again, from the chat service.
    await page.reload();
    await page
      .locator('.message-user')
      .last()
      .getByRole('list', { name: 'Attached files' })
      .getByText('notes.txt')
      .waitFor();

    await page.locator('.message-user').last().getByRole('button', { name: 'Enlarge circle.png' }).click();
    const viewer = page.getByRole('dialog', { name: 'Image: circle.png' });
    await viewer.waitFor();
    await page.screenshot({ path: screenshotPath('files-image-viewer') });
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
  });

  it('says why a file is refused: too big', async () => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach files' }).click();
    await (
      await chooser
    ).setFiles({ name: 'huge.txt', mimeType: 'text/plain', buffer: Buffer.alloc(2 * 1024 * 1024, 'a') });
    const chip = toSend(page).getByRole('listitem').filter({ hasText: 'huge.txt' });
    const alert = chip.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toMatch(/RAG_FILE_MAX_SIZE|1 MB|too big/i);
    await page.screenshot({ path: screenshotPath('files-too-big') });
    await chip.getByRole('button', { name: 'Remove huge.txt' }).click();
    await chip.waitFor({ state: 'detached' });
  });

  it('takes an image dropped onto the chat, and keeps the composer with chips usable at 360 px', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await giveImage(page, 'a-picture-with-a-rather-long-name-for-a-narrow-screen.png', 'drop');
    const chip = toSend(page).getByRole('listitem').first();
    await chip.getByRole('button', { name: /^Enlarge / }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const send = await page.getByRole('button', { name: 'Send' }).boundingBox();
    expect(send).not.toBeNull();
    expect(send!.x + send!.width).toBeLessThanOrEqual(360);
    await page.screenshot({ path: screenshotPath('files-composer-360px') });
    await chip.getByRole('button', { name: /^Remove / }).click();
    await page.setViewportSize({ width: 1100, height: 800 });
  });

  it('lists the uploaded files in Settings → Files and deletes one', async () => {
    // From the chat to the settings inside the app (no page load), as a user goes there.
    await page.goto(`${gateway}/#/settings`);
    const section = page.getByRole('region', { name: 'Files' });
    const table = section.getByRole('table');
    await table.getByRole('rowheader', { name: 'notes.txt' }).waitFor();
    await table.getByRole('rowheader', { name: 'circle.png' }).waitFor();
    await page.screenshot({ path: screenshotPath('files-settings-list'), fullPage: true });
    await section.getByRole('button', { name: 'Delete notes.txt' }).click();
    await section.getByRole('button', { name: 'Delete file' }).click();
    await section.getByText('notes.txt was deleted.').waitFor();
    await table.getByRole('rowheader', { name: 'notes.txt' }).waitFor({ state: 'detached' });
    await page.reload();
    await page
      .getByRole('region', { name: 'Files' })
      .getByRole('rowheader', { name: 'circle.png' })
      .waitFor();
    expect(await page.getByRole('rowheader', { name: 'notes.txt' }).count()).toBe(0);
  });
});
