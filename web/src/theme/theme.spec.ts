import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyTheme, readStoredTheme, resetThemeForTests, setTheme, THEME_STORAGE_KEY } from './theme';

// Vitest runs from web/ (the Nx target) or from the workspace root.
const indexPath = [join(process.cwd(), 'index.html'), join(process.cwd(), 'web', 'index.html')].find(
  existsSync,
);
const indexHtml = readFileSync(indexPath ?? 'index.html', 'utf8');
/** The classic script index.html runs before the first paint (a file: the CSP allows no inline script). */
const earlyScriptSrc = /<script src="\/([^"]+)"><\/script>/.exec(indexHtml)?.[1] ?? 'missing';
const earlyScript = readFileSync(join(dirname(indexPath ?? 'index.html'), 'public', earlyScriptSrc), 'utf8');

describe('theme', () => {
  afterEach(() => resetThemeForTests());

  it('index.html applies the saved choice before the app loads, with the same key', () => {
    expect(indexHtml).not.toMatch(/<script>/);
    expect(earlyScript).toContain(`localStorage.getItem('${THEME_STORAGE_KEY}')`);
    localStorage.setItem(THEME_STORAGE_KEY, 'dark');
    new Function(earlyScript)();
    expect(document.documentElement).toHaveClass('dark');
    document.documentElement.classList.remove('dark');
    localStorage.setItem(THEME_STORAGE_KEY, 'bogus');
    new Function(earlyScript)();
    expect(document.documentElement.className).toBe('');
  });

  it('stores light and dark, forgets the choice for system, and ignores junk', () => {
    setTheme('light');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('light');
    expect(readStoredTheme()).toBe('light');
    setTheme('system');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBeNull();
    localStorage.setItem(THEME_STORAGE_KEY, 'oled-dark');
    expect(readStoredTheme()).toBe('system');
  });

  it('puts exactly one class on <html>', () => {
    const root = document.createElement('html');
    applyTheme('dark', root);
    applyTheme('light', root);
    expect([...root.classList]).toEqual(['light']);
    applyTheme('system', root);
    expect([...root.classList]).toEqual([]);
  });
});
