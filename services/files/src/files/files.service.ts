import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import type { Caller, UserCaller } from '@parley/grpc';
import { LOGGER, type Logger } from '@parley/logging';
import type { filesV1 } from '@parley/proto';
import { FILES_CONFIG, FilesConfig } from '../files.config';
import { STORAGE_PROVIDER, type StorageProvider } from '../storage/storage-provider';
import { sniffContentType } from './content-type';
import { fileNotFound, readableBy } from './file-access';
import { FileEvents } from './file-events';
import { extensionOf, sanitizeFilename } from './file-names';
import { FileRow, FilesRepository, formatMb, quotaExceeded } from './files.repository';
import { measuredUpload } from './upload-stream';

const MB = 1024 * 1024;

export interface FilesPage {
  rows: FileRow[];
  nextPageToken: string;
}

/** Upload, read, list and delete: the rules, with storage, rows and events behind their own classes. */
@Injectable()
export class FilesService {
  private readonly maxBytes?: number;
  private readonly quotaBytes?: bigint;

  constructor(
    @Inject(FILES_CONFIG) private readonly config: FilesConfig,
    @Inject(FilesRepository) private readonly files: FilesRepository,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    @Inject(FileEvents) private readonly events: FileEvents,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.maxBytes = config.RAG_FILE_MAX_SIZE ? Math.floor(config.RAG_FILE_MAX_SIZE * MB) : undefined;
    this.quotaBytes = config.FILES_USER_QUOTA_MB
      ? BigInt(Math.floor(config.FILES_USER_QUOTA_MB * MB))
      : undefined;
  }

  /**
   * Streams an upload to storage and then records it. Any failure on the way (the caller cancelled, a
   * limit, storage down, the row refused) removes the object, so nothing is left behind.
   */
  async upload(
    user: UserCaller,
    requests: AsyncIterable<filesV1.UploadFileRequest>,
    signal: AbortSignal,
  ): Promise<FileRow> {
    const iterator = requests[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done || first.value.part.case !== 'metadata')
      throw new DomainError(ErrorKind.InvalidArgument, 'An upload starts with its metadata message.', {
        code: 'UPLOAD_METADATA_MISSING',
      });
    const metadata = first.value.part.value;
    const filename = sanitizeFilename(metadata.filename);
    let meta = parseMetadata(metadata.metadataJson);
    this.checkExtension(filename, metadata.process);
    if (this.quotaBytes !== undefined && (await this.files.usageOf(user.userId)) >= this.quotaBytes)
      throw quotaExceeded(this.quotaBytes);

    const id = randomUUID();
    const storageKey = this.storage.keyOf(user.userId, id);
    const { body, measure } = measuredUpload(
      chunksOf(iterator, (json) => (meta = parseMetadata(json))),
      {
        maxBytes: this.maxBytes,
        tooLarge: () => this.tooLarge(),
      },
    );
    try {
      await this.storage.put(storageKey, body, signal);
    } catch (error) {
      await this.storage.delete(storageKey).catch(() => undefined);
      if (error instanceof DomainError) throw error;
      if (!signal.aborted) this.logger.warn({ err: error, fileId: id }, 'upload to storage failed');
      throw storageFailed(signal);
    }
    try {
      if (measure.size === 0)
        throw new DomainError(ErrorKind.InvalidArgument, 'The file is empty.', { code: 'FILE_EMPTY' });
      // A cancel that raced with the last chunk: the caller is gone, so keep nothing.
      if (signal.aborted) throw signal.reason;
      const row = await this.files.insert(
        {
          id,
          userId: user.userId,
          filename,
          contentType: await sniffContentType(measure.head(), filename),
          sizeBytes: BigInt(measure.size),
          sha256: measure.sha256(),
          storageKey,
          status: metadata.process ? 'pending' : null,
          meta,
        },
        this.quotaBytes,
      );
      if (metadata.process) await this.requestExtraction(row);
      await this.events.uploaded(row);
      return row;
    } catch (error) {
      await this.storage.delete(storageKey).catch(() => undefined);
      throw error;
    }
  }

  /** Without a queued job the file would stay pending for ever: refuse the upload instead (503). */
  private async requestExtraction(row: FileRow): Promise<void> {
    try {
      await this.events.requestExtraction(row.id);
    } catch (error) {
      await this.files.delete({ id: row.id });
      throw error;
    }
  }

  private checkExtension(filename: string, process: boolean): void {
    const allowed = this.config.RAG_ALLOWED_FILE_EXTENSIONS;
    // Open WebUI checks the list for files it processes; a file kept as is (an image) may be any type.
    if (!process || !allowed.length) return;
    const ext = extensionOf(filename);
    if (!allowed.includes(ext))
      throw new DomainError(
        ErrorKind.InvalidArgument,
        `File type ${ext || '(none)'} is not allowed; allowed: ${allowed.join(', ')}.`,
        { code: 'FILE_EXTENSION_NOT_ALLOWED' },
      );
  }

  private tooLarge(): DomainError {
    return new DomainError(
      ErrorKind.PayloadTooLarge,
      `File size exceeds the limit of ${this.config.RAG_FILE_MAX_SIZE} MB (RAG_FILE_MAX_SIZE).`,
      { code: 'FILE_TOO_LARGE' },
    );
  }

  async get(caller: Caller, id: string): Promise<FileRow> {
    return readableBy(caller, await this.files.find(checkId(id)), { services: true });
  }

  /** The row and its bytes, for a download. */
  async open(caller: Caller, id: string): Promise<{ row: FileRow; body: Readable }> {
    const row = readableBy(caller, await this.files.find(checkId(id)));
    return { row, body: await this.storage.get(row.storageKey) };
  }

  async list(user: UserCaller, pageSize: number, pageToken: string): Promise<FilesPage> {
    const size = Math.min(Math.max(pageSize || this.config.FILES_PAGE_SIZE, 1), 100);
    const rows = await this.files.listOf(user.userId, size + 1, decodePageToken(pageToken));
    const page = rows.slice(0, size);
    const last = page[page.length - 1];
    return {
      rows: page,
      nextPageToken: rows.length > size && last ? encodePageToken(last) : '',
    };
  }

  async updateContent(caller: Caller, id: string, content: string): Promise<FileRow> {
    const row = readableBy(caller, await this.files.find(checkId(id)));
    if (content.length > this.config.FILES_MAX_EXTRACTED_CHARS)
      throw new DomainError(
        ErrorKind.PayloadTooLarge,
        `The text is longer than ${this.config.FILES_MAX_EXTRACTED_CHARS} characters (FILES_MAX_EXTRACTED_CHARS).`,
        { code: 'CONTENT_TOO_LARGE' },
      );
    const updated = await this.files.updateContent(row.id, content);
    await this.events.processed(updated, contentHash(content));
    return updated;
  }

  async delete(caller: Caller, id: string): Promise<void> {
    const row = readableBy(caller, await this.files.find(checkId(id)));
    const deleted = await this.files.delete({ id: row.id });
    if (!deleted.length) throw fileNotFound();
    await this.removeBytesAndAnnounce(deleted);
  }

  /** Admins: everything. Services: one user's files (auth deleting the user). */
  async deleteWhere(where: { userId?: string }): Promise<number> {
    const deleted = await this.files.delete(where);
    await this.removeBytesAndAnnounce(deleted);
    return deleted.length;
  }

  /** The rows are gone first; bytes a crash leaves behind are the sweeper's. */
  private async removeBytesAndAnnounce(rows: FileRow[]): Promise<void> {
    for (const row of rows) {
      await this.storage
        .delete(row.storageKey)
        .catch((error: unknown) =>
          this.logger.warn({ err: error, fileId: row.id }, 'bytes left for the sweeper'),
        );
      await this.events.deleted(row);
    }
  }

  quotaText(): string {
    return this.quotaBytes === undefined ? 'unlimited' : formatMb(this.quotaBytes);
  }
}

/**
 * The chunks of an upload, up to its trailer. A stream that ends without one was cut off (on the server a
 * cancelled call can end like a complete one), so it fails and the upload is discarded.
 */
async function* chunksOf(
  iterator: AsyncIterator<filesV1.UploadFileRequest>,
  onTrailer: (metadataJson: string) => void,
): AsyncGenerator<Uint8Array> {
  for (;;) {
    const next = await iterator.next();
    if (next.done)
      throw new DomainError(
        ErrorKind.InvalidArgument,
        'The upload ended before its last message; nothing was kept.',
        {
          code: 'UPLOAD_INCOMPLETE',
        },
      );
    const { part } = next.value;
    if (part.case === 'chunk') {
      yield part.value;
      continue;
    }
    if (part.case !== 'trailer')
      throw new DomainError(
        ErrorKind.InvalidArgument,
        'An upload is one metadata message, chunks, and a trailer at the end.',
        { code: 'UPLOAD_OUT_OF_ORDER' },
      );
    if (part.value.metadataJson) onTrailer(part.value.metadataJson);
    if (!(await iterator.next()).done)
      throw new DomainError(ErrorKind.InvalidArgument, 'Nothing may follow the upload trailer.', {
        code: 'UPLOAD_OUT_OF_ORDER',
      });
    return;
  }
}

function parseMetadata(text: string): Record<string, unknown> {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DomainError(ErrorKind.InvalidArgument, 'Invalid metadata format: not JSON.', {
      code: 'INVALID_METADATA',
    });
  }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new DomainError(ErrorKind.InvalidArgument, 'Invalid metadata format: not a JSON object.', {
      code: 'INVALID_METADATA',
    });
  return parsed as Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Any text that is not a file id finds nothing, like an id that does not exist. */
function checkId(id: string): string {
  if (!UUID.test(id)) throw fileNotFound();
  return id.toLowerCase();
}

function encodePageToken(row: FileRow): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

function decodePageToken(token: string): { createdAt: Date; id: string } | undefined {
  if (!token) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(token, 'base64url').toString()) as [string, string];
    const date = new Date(createdAt);
    if (!Number.isNaN(date.getTime()) && UUID.test(id)) return { createdAt: date, id };
  } catch {
    // fall through
  }
  throw new DomainError(ErrorKind.InvalidArgument, 'Invalid page token.', { code: 'INVALID_PAGE_TOKEN' });
}

export function contentHash(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

function storageFailed(signal: AbortSignal): DomainError {
  if (signal.aborted) return new DomainError(ErrorKind.Unavailable, 'The upload was cancelled.');
  return new DomainError(ErrorKind.Unavailable, 'File storage is unavailable; try again shortly.', {
    code: 'STORAGE_UNAVAILABLE',
  });
}
