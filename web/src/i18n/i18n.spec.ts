import { describe, expect, it } from 'vitest';
import { de } from './de';
import { en } from './en';
import { createTranslate, detectLocale, dictionaries } from './translate';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  it('German has exactly the English keys', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(Object.entries(dictionaries))(
    '%s uses the same placeholders as English for every key',
    (_locale, dict) => {
      for (const [key, english] of Object.entries(en)) {
        expect({ key, placeholders: placeholders(dict[key as keyof typeof en]) }).toEqual({
          key,
          placeholders: placeholders(english),
        });
      }
    },
  );

  it.each(Object.entries(dictionaries))('%s has no empty messages', (_locale, dict) => {
    const empty = Object.entries(dict).filter(([, text]) => text.trim() === '');
    expect(empty).toEqual([]);
  });
});

describe('createTranslate', () => {
  it('fills placeholders', () => {
    expect(createTranslate('de')('pending.signedInAs', { email: 'a@b.de' })).toBe('Angemeldet als a@b.de');
    expect(createTranslate('en')('errors.unexpected', { status: 503 })).toContain('status 503');
  });
});

describe('detectLocale', () => {
  it('prefers the saved choice, then the browser language, then English', () => {
    expect(detectLocale('de', ['en-US'])).toBe('de');
    expect(detectLocale(null, ['fr-FR', 'de-AT'])).toBe('de');
    expect(detectLocale('xx', ['fr-FR'])).toBe('en');
  });
});
