import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { DomainError, ErrorKind } from '@parley/errors';
import type { FilesConfig } from '../files.config';
import type { StoredObject, StorageProvider } from './storage-provider';

/** Open WebUI's S3 variables; the bucket is required. */
export type S3Settings = Pick<
  FilesConfig,
  | 'S3_BUCKET_NAME'
  | 'S3_ENDPOINT_URL'
  | 'S3_REGION_NAME'
  | 'S3_ACCESS_KEY_ID'
  | 'S3_SECRET_ACCESS_KEY'
  | 'S3_KEY_PREFIX'
  | 'S3_ADDRESSING_STYLE'
>;

/**
 * Any S3 API (AWS, MinIO, Ceph, s3rver in tests) through the AWS SDK v3. Uploads go through lib-storage's
 * multipart Upload: parts of 8 MiB, two in flight, so memory stays bounded whatever the file's size; an
 * aborted upload is aborted on the server too (no orphaned parts).
 */
export class S3StorageProvider implements StorageProvider {
  readonly name = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(settings: S3Settings) {
    if (!settings.S3_BUCKET_NAME) throw new Error('S3_BUCKET_NAME is required when STORAGE_PROVIDER=s3');
    if (Boolean(settings.S3_ACCESS_KEY_ID) !== Boolean(settings.S3_SECRET_ACCESS_KEY))
      throw new Error('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together or not at all');
    this.bucket = settings.S3_BUCKET_NAME;
    this.prefix = settings.S3_KEY_PREFIX;
    const style = settings.S3_ADDRESSING_STYLE;
    this.client = new S3Client({
      region: settings.S3_REGION_NAME,
      ...(settings.S3_ENDPOINT_URL ? { endpoint: settings.S3_ENDPOINT_URL } : {}),
      forcePathStyle: style === 'path' || (style === 'auto' && Boolean(settings.S3_ENDPOINT_URL)),
      ...(settings.S3_ACCESS_KEY_ID && settings.S3_SECRET_ACCESS_KEY
        ? {
            credentials: {
              accessKeyId: settings.S3_ACCESS_KEY_ID,
              secretAccessKey: settings.S3_SECRET_ACCESS_KEY,
            },
          }
        : {}),
    });
  }

  keyOf(userId: string, fileId: string): string {
    return `${this.prefix}${userId}/${fileId}`;
  }

  async put(key: string, body: Readable, signal: AbortSignal): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body },
      partSize: 8 * 1024 * 1024,
      queueSize: 2,
      leavePartsOnError: false,
    });
    const abort = () => void upload.abort().catch(() => undefined);
    let bodyError: unknown;
    const bodyFailed = (error: unknown) => {
      bodyError = error;
      abort();
    };
    signal.addEventListener('abort', abort, { once: true });
    // The source failing (a broken upload, a limit) must end the SDK's read, and is the reason to report.
    body.once('error', bodyFailed);
    try {
      await upload.done();
    } catch (error) {
      // A small body goes as one PutObject, which an abort cannot undo once it landed.
      await this.delete(key).catch(() => undefined);
      throw bodyError ?? (signal.aborted ? signal.reason : error);
    } finally {
      signal.removeEventListener('abort', abort);
      body.off('error', bodyFailed);
    }
    if (signal.aborted) {
      await this.delete(key).catch(() => undefined);
      throw signal.reason;
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return result.Body as Readable;
    } catch (error) {
      if (error instanceof NoSuchKey)
        throw new DomainError(ErrorKind.NotFound, 'The file’s bytes are missing from storage.', {
          code: 'FILE_BYTES_MISSING',
        });
      throw storageUnavailable(error);
    }
  }

  async delete(key: string): Promise<void> {
    await this.client
      .send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))
      .catch((error: unknown) => {
        throw storageUnavailable(error);
      });
  }

  async *list(): AsyncIterable<StoredObject[]> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix || undefined,
          ContinuationToken: token,
        }),
      );
      yield (page.Contents ?? [])
        .filter((item) => item.Key)
        .map((item) => ({ key: item.Key!, lastModified: item.LastModified ?? new Date(0) }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}

function storageUnavailable(error: unknown): DomainError {
  const reason = error instanceof Error ? error.name : 'error';
  return new DomainError(
    ErrorKind.Unavailable,
    `File storage (S3) is unavailable (${reason}); try again shortly.`,
    {
      code: 'STORAGE_UNAVAILABLE',
    },
  );
}
