import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { createTranslate } from '../i18n/translate';
import { errorMessage } from './error-message';

describe('errorMessage', () => {
  const en = createTranslate('en');
  const de = createTranslate('de');
  const wrongPassword = new ApiError(400, 'The email or password is incorrect.', 'INVALID_CREDENTIALS');

  it('shows the server sentence in English and a translation of the code in other languages', () => {
    expect(errorMessage(wrongPassword, en)).toBe('The email or password is incorrect.');
    expect(errorMessage(wrongPassword, de)).toBe('E-Mail-Adresse oder Passwort sind falsch.');
    const quota = new ApiError(
      429,
      'Token limit reached: you have used 12 of 10 tokens per day.',
      'QUOTA_EXCEEDED',
    );
    expect(errorMessage(quota, de)).toContain('Kontingent');
  });

  it('shows the server sentence for a code the app does not know, in every language', () => {
    const unknown = new ApiError(409, 'A folder with this name exists.', 'FOLDER_NAME_TAKEN');
    expect(errorMessage(unknown, de)).toBe('A folder with this name exists.');
    expect(errorMessage(new ApiError(400, 'title: must be a string', null), de)).toBe(
      'title: must be a string',
    );
  });

  it('translates a known code without a sentence in English too', () => {
    expect(errorMessage(new ApiError(503, null, 'UNAVAILABLE'), en)).toBe(en('errors.code.UNAVAILABLE'));
  });

  it('falls back to the network and status messages without a body', () => {
    expect(errorMessage(new ApiError(0, null), de)).toBe(de('errors.network'));
    expect(errorMessage(new ApiError(502, null), en)).toBe(en('errors.unexpected', { status: 502 }));
  });
});
