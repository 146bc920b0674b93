import { create, toJson } from '@bufbuild/protobuf';
import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@parley/logging';
import { EVENTS, NatsClient, STREAMS, workQueue, type DurableStreamSpec } from '@parley/nats';
import { fileEventsV1 } from '@parley/proto';
import { FILES_CONFIG, FilesConfig } from '../files.config';
import type { FileRow } from './files.repository';

/**
 * The extraction work queue (FILES_WORK_QUEUE names it; one per installation sharing a NATS): one message
 * per file to extract, removed once acknowledged.
 */
export function extractionQueue(name: string): { stream: DurableStreamSpec; subject: string } {
  return workQueue(name, 'files_work', 'extract', 64 * 1024 * 1024);
}

const STATUS = {
  pending: fileEventsV1.FileProcessingStatus.PENDING,
  completed: fileEventsV1.FileProcessingStatus.COMPLETED,
  failed: fileEventsV1.FileProcessingStatus.FAILED,
} as const;

export function processingStatusOf(status: string | null): fileEventsV1.FileProcessingStatus {
  return STATUS[status as keyof typeof STATUS] ?? fileEventsV1.FileProcessingStatus.UNSPECIFIED;
}

/** Publishes the files service's events (proto/parley/events/v1/file_events.proto, in their JSON form). */
@Injectable()
export class FileEvents {
  private readonly queue: ReturnType<typeof extractionQueue>;

  constructor(
    @Inject(FILES_CONFIG) config: FilesConfig,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.queue = extractionQueue(config.FILES_WORK_QUEUE);
  }

  /** The extraction job; throws Unavailable when JetStream does not take it. */
  requestExtraction(fileId: string): Promise<void> {
    return this.nats.publishDurable(this.queue.stream, this.queue.subject, { v: 1, fileId });
  }

  uploaded(row: FileRow): Promise<void> {
    const event = create(fileEventsV1.FileUploadedSchema, {
      v: 1,
      fileId: row.id,
      userId: row.userId,
      filename: row.filename,
      contentType: row.contentType,
      size: row.sizeBytes,
      sha256: row.sha256,
      status: processingStatusOf(row.status),
    });
    return this.durable('file.uploaded', toJson(fileEventsV1.FileUploadedSchema, event));
  }

  processed(row: FileRow, contentSha256: string): Promise<void> {
    const event = create(fileEventsV1.FileProcessedSchema, {
      v: 1,
      fileId: row.id,
      userId: row.userId,
      contentType: row.contentType,
      size: row.sizeBytes,
      sha256: row.sha256,
      status: processingStatusOf(row.status),
      error: row.error ?? '',
      contentLength: BigInt(row.content?.length ?? 0),
      contentSha256,
      pageCount: row.pageCount ?? 0,
    });
    this.status(row);
    return this.durable('file.processed', toJson(fileEventsV1.FileProcessedSchema, event));
  }

  deleted(row: FileRow): Promise<void> {
    const event = create(fileEventsV1.FileDeletedSchema, { v: 1, fileId: row.id, userId: row.userId });
    return this.durable('file.deleted', toJson(fileEventsV1.FileDeletedSchema, event));
  }

  /** `file.status` on core NATS, for the owner's sockets: lost when nobody listens, which is fine. */
  status(row: FileRow): void {
    const event = create(fileEventsV1.FileStatusChangedSchema, {
      v: 1,
      fileId: row.id,
      userId: row.userId,
      status: processingStatusOf(row.status),
      error: row.error ?? '',
    });
    try {
      this.nats.publish(EVENTS.fileStatus, event);
    } catch (error) {
      this.logger.warn({ err: error, fileId: row.id }, 'file.status not published');
    }
  }

  /** After the change is saved; a failure is logged, never undoes the change. */
  private async durable(subject: string, payload: unknown): Promise<void> {
    await this.nats
      .publishDurable(STREAMS.fileEvents, subject, payload)
      .catch((error: unknown) => this.logger.error({ err: error, subject }, 'file event not published'));
  }
}
