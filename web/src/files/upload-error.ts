import { errorMessage, type PlainMessageKey } from '../app/error-message';
import type { Translate } from '../i18n';
import { ProcessingFailed } from './use-attachments';

/** The files service's codes, said for an upload (QUOTA_EXCEEDED here is the storage quota). */
const UPLOAD_CODES: Readonly<Record<string, PlainMessageKey>> = {
  FILE_TOO_LARGE: 'files.error.FILE_TOO_LARGE',
  PAYLOAD_TOO_LARGE: 'files.error.FILE_TOO_LARGE',
  FILE_EXTENSION_NOT_ALLOWED: 'files.error.FILE_EXTENSION_NOT_ALLOWED',
  QUOTA_EXCEEDED: 'files.error.QUOTA_EXCEEDED',
  FILE_EMPTY: 'files.error.FILE_EMPTY',
  STORAGE_UNAVAILABLE: 'files.error.STORAGE_UNAVAILABLE',
};

/** What to tell the user about a file that could not be attached. */
export function uploadErrorMessage(error: unknown, t: Translate): string {
  if (error instanceof ProcessingFailed) {
    return error.reason
      ? t('files.error.processingFailedBecause', { reason: error.reason })
      : t('files.error.processingFailed');
  }
  return errorMessage(error, t, UPLOAD_CODES);
}
