import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import {
  FakeLlm,
  launchBrowser,
  pdfWithPages,
  repoRoot,
  screenshotPath,
  Stack,
  startFakeLlm,
  startStack,
} from '@parley/testing';

const FACT = 'The staff office opens at nine every weekday.';

/**
 * Retrieval in the web app, in Chromium against a stack with retrieval and the fake embedding model:
 * a knowledge base is created on the Knowledge page, a two-page PDF uploaded into it shows indexed
 * (live, from the socket), its search finds the page-2 fact; in a chat `#` picks the base, the
 * answer comes with a citation chip naming the PDF and page 2, and the chip opens the passage.
 * Screenshots go to e2e/output/screenshots/.
 */
describe('knowledge bases and citations, in Chromium', () => {
  let stack: Stack;
  let fake: FakeLlm;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let gateway: string;
  let webDist: string | undefined;

  beforeAll(async () => {
    // A copy of the built app: another build may replace dist/web (and its lazy chunks) meanwhile.
    webDist = mkdtempSync(join(tmpdir(), 'parley-web-'));
    cpSync(join(repoRoot(), 'dist', 'web'), webDist, { recursive: true });
    fake = await startFakeLlm({
      models: ['gpt-fake'],
      tokens: ['It opens ', 'at nine [1].'],
      tokenDelayMs: 10,
      embeddingModels: ['fake-embed'],
    });
    const cluster = `browser-knowledge-${randomUUID().slice(0, 8)}`;
    stack = await startStack({
      copies: { auth: 1, chat: 1, files: 1, retrieval: 1, 'model-gateway': 1, realtime: 1, gateway: 1 },
      env: {
        OPENAI_API_BASE_URLS: fake.openaiBaseUrl,
        OPENAI_API_KEYS: '',
        ENABLE_OLLAMA_API: 'false',
        REALTIME_CLUSTER: cluster,
        MODEL_GATEWAY_CLUSTER: cluster,
        WEB_DIST_DIR: webDist,
        ENABLE_TITLE_GENERATION: 'false',
        USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ACCESS: 'true',
        RAG_EMBEDDING_ENGINE: 'openai',
        RAG_EMBEDDING_MODEL: 'fake-embed',
        RAG_OPENAI_API_BASE_URL: fake.openaiBaseUrl,
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

  it('indexes a PDF into a new knowledge base, answers from it with `#`, and cites the PDF and page 2', async () => {
    await page.goto(gateway);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByLabel('Name').fill('Ada Admin');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();

    // The Knowledge page, from the account menu.
    await page
      .getByRole('button', { name: /Account menu/ })
      .first()
      .click();
    await page.getByRole('link', { name: 'Knowledge' }).click();
    await page.getByRole('heading', { name: 'Knowledge bases' }).waitFor();
    await page.getByLabel('Name').fill('Staff handbook');
    await page.getByLabel('Description').fill('Rules and opening hours');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL((url) => /^#\/workspace\/knowledge\/.+/.test(url.hash));
    await page.getByRole('heading', { name: 'Staff handbook' }).waitFor();

    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (
      await chooser
    ).setFiles({
      name: 'handbook.pdf',
      mimeType: 'application/pdf',
      buffer: await pdfWithPages(['Welcome to the company handbook.', FACT]),
    });
    const row = page.getByRole('row').filter({ hasText: 'handbook.pdf' });
    await row.getByText(/^Indexed/).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: screenshotPath('knowledge-indexed') });

    await page.getByRole('searchbox', { name: 'Question or keywords' }).fill('When does the office open?');
    await page.getByRole('button', { name: 'Search' }).click();
    const hits = page.getByRole('list', { name: 'Search results' });
    await hits.getByText(FACT).waitFor();
    expect(await hits.getByRole('listitem').filter({ hasText: FACT }).textContent()).toContain(
      'handbook.pdf (p. 2)',
    );
    await page.screenshot({ path: screenshotPath('knowledge-search') });

    // A chat that picks the base with `#`.
    await page.getByRole('link', { name: /Back to chats/ }).click();
    // A ready composer: the chat is created by its first message.
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByRole('heading', { level: 1, name: 'New Chat' }).waitFor();
    await page.getByRole('combobox', { name: 'Model' }).locator('option', { hasText: 'gpt-fake' }).waitFor({
      state: 'attached',
    });
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.click();
    await box.pressSequentially('When does the staff office open? #Staff');
    const option = page.getByRole('option', { name: /Staff handbook/ });
    await option.waitFor();
    await page.screenshot({ path: screenshotPath('knowledge-hash-picker') });
    await box.press('Enter');
    await page.getByRole('list', { name: 'Knowledge to search' }).getByText('Staff handbook').waitFor();
    await box.press('Enter');

    const answer = page.locator('.message-assistant').last();
    await answer.getByText('It opens at nine [1].').waitFor({ timeout: 30_000 });
    const chip = answer
      .getByRole('list', { name: 'Sources' })
      .getByRole('button', { name: /handbook\.pdf \(p\. 2\)/ });
    await chip.first().waitFor();
    await page.screenshot({ path: screenshotPath('knowledge-citations') });

    // What the model was given: the passage, through the RAG template.
    expect(JSON.stringify(fake.stats.lastRequest?.body)).toContain(FACT);

    await chip.first().click();
    const dialog = page.getByRole('dialog', { name: /handbook\.pdf/ });
    await dialog.getByText(FACT).waitFor();
    expect(await dialog.textContent()).toContain('Staff handbook');
    await page.screenshot({ path: screenshotPath('knowledge-citation-open') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // After a reload the saved answer still has its citations.
    await page.reload();
    await page
      .locator('.message-assistant')
      .last()
      .getByRole('list', { name: 'Sources' })
      .getByRole('button', { name: /handbook\.pdf \(p\. 2\)/ })
      .first()
      .waitFor({ timeout: 15_000 });
  });
});
