import { randomUUID } from 'node:crypto';
import { Browser, Page } from 'playwright-core';
import { FakeLlm, launchBrowser, Stack, startFakeLlm, startStack } from '@parley/testing';

export interface BrowserChatStack {
  fake: FakeLlm;
  stack: Stack;
  gateway: string;
  browser: Browser;
  /** Closes the browser, the stack and the fake upstream. */
  stop(): Promise<void>;
}

/**
 * What a browser test of chatting needs: auth, chat, model-gateway, realtime and gateway over a fake
 * OpenAI-compatible upstream (`fakeSettings`: models, tokens, delays), and Debian's Chromium. `env`
 * adds or overrides the stack's variables.
 */
export async function startBrowserChatStack(
  name: string,
  fakeSettings: Parameters<typeof startFakeLlm>[0],
  env: Record<string, string> = {},
): Promise<BrowserChatStack> {
  const fake = await startFakeLlm(fakeSettings);
  const cluster = `${name}-${randomUUID().slice(0, 8)}`;
  const stack = await startStack({
    copies: { auth: 1, chat: 1, 'model-gateway': 1, realtime: 1, gateway: 1 },
    env: {
      OPENAI_API_BASE_URLS: fake.openaiBaseUrl,
      OPENAI_API_KEYS: '',
      ENABLE_OLLAMA_API: 'false',
      REALTIME_CLUSTER: cluster,
      MODEL_GATEWAY_CLUSTER: cluster,
      CHAT_TASK_SAVE_INTERVAL_MS: '100',
      ...env,
    },
  });
  const browser = await launchBrowser();
  return {
    fake,
    stack,
    gateway: stack.gatewayUrls[0]!,
    browser,
    async stop() {
      await browser.close();
      await stack.stop();
      await fake.close();
    },
  };
}

/** Signs up through the form on a fresh page (the first account becomes the admin). */
export async function signUpInBrowser(
  page: Page,
  gateway: string,
  account: { name: string; email: string; password: string },
): Promise<void> {
  await page.goto(gateway);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByLabel('Name').fill(account.name);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}
