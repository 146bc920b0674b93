import { ApiError } from '../api';
import type { Translate } from '../i18n';

/** What to tell the user about a failed call: the server's detail when it gave one. */
export function errorMessage(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.detail) return error.detail;
    if (error.isNetworkError) return t('errors.network');
    return t('errors.unexpected', { status: error.status });
  }
  return t('errors.unexpected', { status: '—' });
}
