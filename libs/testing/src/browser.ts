import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, Browser } from 'playwright-core';
import { aptInstall } from './debian-packages';
import { repoRoot } from './repo-root';

const CHROMIUM = '/usr/bin/chromium';

/** Installs Debian's Chromium when it is missing (Playwright cannot download its own browser here). */
export function ensureChromiumInstalled(): void {
  if (existsSync(CHROMIUM)) return;
  aptInstall(['chromium']);
}

/** Headless Chromium with the flags this closed network needs. */
export async function launchBrowser(): Promise<Browser> {
  ensureChromiumInstalled();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Where browser tests leave their last screen: e2e/output/screenshots/<name>.png. */
export function screenshotPath(name: string): string {
  const dir = join(repoRoot(), 'e2e', 'output', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name.replace(/[^A-Za-z0-9-]+/g, '-')}.png`);
}
