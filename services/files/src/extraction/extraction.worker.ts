import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DomainError } from '@parley/errors';
import { LOGGER, type Logger } from '@parley/logging';
import { NatsClient, type DeliveryOutcome, type DurableConsumer, type DurableMessage } from '@parley/nats';
import { extractionBackoffMs, FILES_CONFIG, FilesConfig } from '../files.config';
import { extractionQueue, FileEvents } from '../files/file-events';
import { FilesRepository, type FileRow } from '../files/files.repository';
import { contentHash } from '../files/files.service';
import { STORAGE_PROVIDER, type StorageProvider } from '../storage/storage-provider';
import { extractorKindOf, extractText, type ExtractedText } from './text-extractors';

/**
 * Takes extraction jobs from the durable queue, any copy any job. A job is acknowledged only after the
 * result is saved, so a copy killed mid-extraction loses nothing: after the ack wait another copy gets it.
 * A failed attempt is retried with a doubling delay; the last allowed attempt's failure is final and
 * saved as the file's error.
 */
@Injectable()
export class ExtractionWorker implements OnModuleInit, OnModuleDestroy {
  private consumer?: DurableConsumer;

  constructor(
    @Inject(FILES_CONFIG) private readonly config: FilesConfig,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(FilesRepository) private readonly files: FilesRepository,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    @Inject(FileEvents) private readonly events: FileEvents,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.consumer = this.nats.consumeDurable(
      {
        stream: extractionQueue(this.config.FILES_WORK_QUEUE).stream,
        consumer: {
          durable: 'files-extraction',
          // Longer than one attempt may take, so a live copy's job is never handed to another.
          ackWaitMs: this.config.FILES_EXTRACTION_TIMEOUT_MS + 2_000,
          maxAckPending: 8,
          deliver: 'all',
        },
        retryBackoffMs: (count) => extractionBackoffMs(this.config, count),
      },
      (message) => this.handle(message),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
  }

  private async handle(message: DurableMessage): Promise<DeliveryOutcome> {
    let fileId: unknown;
    try {
      ({ fileId } = JSON.parse(Buffer.from(message.data).toString()) as { fileId?: unknown });
    } catch {
      return 'drop';
    }
    if (typeof fileId !== 'string') return 'drop';
    const row = await this.files.find(fileId);
    // Deleted, or finished by an earlier delivery: nothing left to do.
    if (!row || row.status !== 'pending') return 'ack';
    try {
      const result = await this.extract(row);
      const saved = await this.files.finishExtraction(row.id, {
        status: 'completed',
        ...result,
        content: result.text,
      });
      if (saved) await this.events.processed(saved, contentHash(result.text));
      return 'ack';
    } catch (error) {
      const reason = reasonOf(error);
      if (message.deliveryCount < this.config.FILES_EXTRACTION_MAX_ATTEMPTS) {
        this.logger.warn(
          { err: error, fileId, attempt: message.deliveryCount },
          'extraction failed; will retry',
        );
        return 'retry';
      }
      this.logger.warn({ err: error, fileId, attempts: message.deliveryCount }, 'extraction failed for good');
      const saved = await this.files.finishExtraction(row.id, { status: 'failed', error: reason });
      if (saved) await this.events.processed(saved, '');
      return 'ack';
    }
  }

  private async extract(row: FileRow): Promise<ExtractedText> {
    const kind = extractorKindOf(row.contentType, row.filename);
    // Images and other files without text are kept as they are (they reach a model another way).
    if (!kind) return { text: '', pageCount: null };
    const controller = new AbortController();
    const timeoutMs = this.config.FILES_EXTRACTION_TIMEOUT_MS;
    const timer = setTimeout(
      () => controller.abort(new Error(`Extraction took longer than ${timeoutMs} ms.`)),
      timeoutMs,
    );
    try {
      const body = await this.storage.get(row.storageKey);
      const work = extractText(
        body,
        kind,
        {
          maxChars: this.config.FILES_MAX_EXTRACTED_CHARS,
          maxInputBytes: this.config.FILES_MAX_EXTRACTION_INPUT_MB * 1024 * 1024,
        },
        controller.signal,
      );
      // A parser that never yields to the signal is still cut off here.
      return await Promise.race([
        work,
        new Promise<never>((_, reject) =>
          controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }),
        ),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof DomainError) return error.message;
  const text = error instanceof Error ? error.message : String(error);
  return `The file's text could not be extracted: ${text.slice(0, 300)}`;
}
