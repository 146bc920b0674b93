import { de } from './de';
import { en } from './en';
import type { Dictionary, Locale, MessageKey, Translate } from './i18n-types';

export const dictionaries: Record<Locale, Dictionary> = { en, de };

export const LOCALES: readonly { code: Locale; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'de', name: 'Deutsch' },
];

/** Open WebUI keeps the chosen UI language under this localStorage key. */
export const LOCALE_STORAGE_KEY = 'locale';

export function createTranslate(locale: Locale): Translate {
  const dictionary = dictionaries[locale];
  const translate = <K extends MessageKey>(key: K, ...args: unknown[]) => {
    const template: string = dictionary[key] ?? en[key];
    const params = args[0] as Record<string, string | number> | undefined;
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (match, name: string) =>
      name in params ? String(params[name]) : match,
    );
  };
  return Object.assign(translate, { locale }) as Translate;
}

export function isLocale(value: unknown): value is Locale {
  return value === 'en' || value === 'de';
}

/** Saved choice first, then the browser's languages, then English. */
export function detectLocale(saved: string | null, browserLanguages: readonly string[]): Locale {
  if (isLocale(saved)) return saved;
  for (const language of browserLanguages) {
    const base = language.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return 'en';
}
