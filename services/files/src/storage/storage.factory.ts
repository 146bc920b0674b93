import { uploadDirOf, type FilesConfig } from '../files.config';
import { LocalStorageProvider } from './local-storage.provider';
import { S3StorageProvider } from './s3-storage.provider';
import type { StorageProvider } from './storage-provider';

/** The provider STORAGE_PROVIDER names. */
export function createStorageProvider(config: FilesConfig): StorageProvider {
  return config.STORAGE_PROVIDER === 's3'
    ? new S3StorageProvider(config)
    : new LocalStorageProvider(uploadDirOf(config));
}
