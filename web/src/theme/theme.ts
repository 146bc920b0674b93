import { useCallback, useSyncExternalStore } from 'react';

export type ThemeChoice = 'light' | 'dark' | 'system';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/**
 * Open WebUI keeps the theme under this localStorage key. index.html reads it in an inline script
 * before the first paint (no flash); keep the two in step.
 */
export const THEME_STORAGE_KEY = 'theme';

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return value === 'light' || value === 'dark' || value === 'system';
}

export function readStoredTheme(): ThemeChoice {
  try {
    const saved = localStorage.getItem(THEME_STORAGE_KEY);
    return isThemeChoice(saved) ? saved : 'system';
  } catch {
    return 'system';
  }
}

/** `light`/`dark` put that class on <html> (styles.css switches the colour variables); `system` follows the OS. */
export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  root.classList.toggle('light', choice === 'light');
  root.classList.toggle('dark', choice === 'dark');
}

const listeners = new Set<() => void>();
let current: ThemeChoice | null = null;

function snapshot(): ThemeChoice {
  current ??= readStoredTheme();
  return current;
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    // Another tab chose a theme: follow it.
    if (event.key !== THEME_STORAGE_KEY) return;
    current = readStoredTheme();
    applyTheme(current);
    listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function setTheme(choice: ThemeChoice): void {
  current = choice;
  try {
    if (choice === 'system') localStorage.removeItem(THEME_STORAGE_KEY);
    else localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // The choice lasts for this page only.
  }
  applyTheme(choice);
  listeners.forEach((listener) => listener());
}

/** Forgets the cached choice (tests clear localStorage between cases). */
export function resetThemeForTests(): void {
  current = null;
  applyTheme('system');
}

export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const theme = useSyncExternalStore(subscribe, snapshot, () => 'system' as const);
  const set = useCallback((choice: ThemeChoice) => setTheme(choice), []);
  return [theme, set];
}
