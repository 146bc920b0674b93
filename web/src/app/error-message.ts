import { ApiError } from '../api';
import type { MessageKey, Translate, TranslateArgs } from '../i18n';

/** A message without placeholders: what a code can be translated to. */
export type PlainMessageKey = { [K in MessageKey]: TranslateArgs<K> extends [] ? K : never }[MessageKey];

/**
 * The server's error codes the app translates. In English the server's own sentence is shown when it
 * sent one (it says more: which limit, which field); other languages show their sentence for the code.
 * A code not listed here shows the server's sentence in every language.
 */
const CODE_MESSAGES: Readonly<Record<string, Extract<MessageKey, `errors.code.${string}`>>> = {
  INVALID_CREDENTIALS: 'errors.code.INVALID_CREDENTIALS',
  SIGN_IN_RATE_LIMITED: 'errors.code.SIGN_IN_RATE_LIMITED',
  RATE_LIMITED: 'errors.code.RATE_LIMITED',
  QUOTA_EXCEEDED: 'errors.code.QUOTA_EXCEEDED',
  TOO_MANY_RUNNING_ANSWERS: 'errors.code.TOO_MANY_RUNNING_ANSWERS',
  CHAT_NOT_FOUND: 'errors.code.CHAT_NOT_FOUND',
  MODEL_NOT_FOUND: 'errors.code.MODEL_NOT_FOUND',
  PERMISSION_DENIED: 'errors.code.PERMISSION_DENIED',
  UNAUTHENTICATED: 'errors.code.UNAUTHENTICATED',
  UNAVAILABLE: 'errors.code.UNAVAILABLE',
  DEADLINE_EXCEEDED: 'errors.code.DEADLINE_EXCEEDED',
  PAYLOAD_TOO_LARGE: 'errors.code.PAYLOAD_TOO_LARGE',
  INTERNAL: 'errors.code.INTERNAL',
};

/**
 * What to tell the user about a failed call: the translation of its code, else the server's detail.
 * `codes` adds or replaces translations where a code means something narrower in one place (an
 * upload's QUOTA_EXCEEDED is the storage quota, not the daily usage limit).
 */
export function errorMessage(
  error: unknown,
  t: Translate,
  codes: Readonly<Record<string, PlainMessageKey>> = {},
): string {
  if (error instanceof ApiError) {
    const key = error.code ? (codes[error.code] ?? CODE_MESSAGES[error.code]) : undefined;
    const translated = key ? t(key) : undefined;
    if (translated && (t.locale !== 'en' || !error.detail)) return translated;
    if (error.detail) return error.detail;
    if (error.isNetworkError) return t('errors.network');
    return t('errors.unexpected', { status: error.status });
  }
  return t('errors.unexpected', { status: '—' });
}
