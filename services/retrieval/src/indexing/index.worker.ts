import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DomainError } from '@parley/errors';
import { LOGGER, type Logger } from '@parley/logging';
import {
  decodeEvent,
  EventShapeError,
  NatsClient,
  STREAMS,
  type DeliveryOutcome,
  type DurableConsumer,
  type DurableMessage,
  type DurableStreamSpec,
  workQueue,
} from '@parley/nats';
import { fileEventsV1 } from '@parley/proto';
import { UUID } from '../files/file-ids';
import { indexBackoffMs, RETRIEVAL_CONFIG, RetrievalConfig } from '../retrieval.config';
import { Indexer, PermanentIndexError } from './indexer';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The indexing work queue (RETRIEVAL_WORK_QUEUE names it): one message per source to (re)index. */
export function indexQueue(name: string): { stream: DurableStreamSpec; subject: string } {
  return workQueue(name, 'retrieval_work', 'index', 256 * 1024 * 1024);
}

/**
 * Indexing as durable work, any copy any job: `file.processed` and `file.deleted` from the files
 * service's stream, and (re)index jobs from the work queue (a file added to a knowledge base, an
 * admin's re-index, a new embedding model). A message is acknowledged only after the chunks are
 * committed, so a copy killed mid-file loses nothing: after the ack wait another copy gets it, and the
 * content hash makes the second run write the same chunks once.
 */
@Injectable()
export class IndexWorker implements OnModuleInit, OnModuleDestroy {
  private consumers: DurableConsumer[] = [];
  private readonly queue: ReturnType<typeof indexQueue>;

  constructor(
    @Inject(RETRIEVAL_CONFIG) private readonly config: RetrievalConfig,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(Indexer) private readonly indexer: Indexer,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.queue = indexQueue(config.RETRIEVAL_WORK_QUEUE);
  }

  onModuleInit(): void {
    const ackWaitMs = this.config.RETRIEVAL_INDEX_TIMEOUT_MS + 2_000;
    const retryBackoffMs = (count: number) => indexBackoffMs(this.config, count);
    // Several pull loops on one durable: this copy works on that many sources at once.
    for (let i = 0; i < this.config.RETRIEVAL_INDEX_CONCURRENCY; i++) {
      this.consumers.push(
        this.nats.consumeDurable(
          {
            stream: STREAMS.fileEvents,
            consumer: {
              durable: this.config.RETRIEVAL_FILE_EVENTS_CONSUMER,
              ackWaitMs,
              maxAckPending: 64,
              deliver: 'all',
              // A consumer of a gone installation goes; a new one replays the stream (indexing is idempotent).
              inactiveThresholdMs: DAY_MS,
            },
            retryBackoffMs,
          },
          (message) => this.onFileEvent(message),
        ),
        this.nats.consumeDurable(
          {
            stream: this.queue.stream,
            consumer: { durable: 'retrieval-index-jobs', ackWaitMs, maxAckPending: 64, deliver: 'all' },
            retryBackoffMs,
          },
          (message) => this.onJob(message),
        ),
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
  }

  /** Asks for a source to be (re)indexed by whichever copy takes the job. */
  request(sourceId: string, force = false): Promise<void> {
    return this.nats.publishDurable(this.queue.stream, this.queue.subject, { v: 1, sourceId, force });
  }

  private async onFileEvent(message: DurableMessage): Promise<DeliveryOutcome> {
    const json = parse(message.data);
    if (json === undefined) return 'drop';
    try {
      if (message.subject === 'file.processed') {
        const event = decodeEvent({ schema: fileEventsV1.FileProcessedSchema }, json);
        if (!UUID.test(event.fileId)) return 'drop';
        return this.run(event.fileId, message, false);
      }
      if (message.subject === 'file.deleted') {
        const event = decodeEvent({ schema: fileEventsV1.FileDeletedSchema }, json);
        if (!UUID.test(event.fileId)) return 'drop';
        await this.indexer.remove(event.fileId);
        return 'ack';
      }
      return 'ack';
    } catch (error) {
      if (error instanceof EventShapeError) return 'drop';
      this.logger.warn({ err: error, subject: message.subject }, 'file event not handled; will retry');
      return message.deliveryCount < this.config.RETRIEVAL_INDEX_MAX_ATTEMPTS ? 'retry' : 'drop';
    }
  }

  private async onJob(message: DurableMessage): Promise<DeliveryOutcome> {
    const job = parse(message.data) as { sourceId?: unknown; force?: unknown } | undefined;
    if (!job || typeof job.sourceId !== 'string' || !UUID.test(job.sourceId)) return 'drop';
    return this.run(job.sourceId, message, job.force === true);
  }

  private async run(sourceId: string, message: DurableMessage, force: boolean): Promise<DeliveryOutcome> {
    const controller = new AbortController();
    const timeoutMs = this.config.RETRIEVAL_INDEX_TIMEOUT_MS;
    const timer = setTimeout(
      () => controller.abort(new Error(`Indexing took longer than ${timeoutMs} ms.`)),
      timeoutMs,
    );
    try {
      await this.indexer.index(sourceId, { force, signal: controller.signal });
      return 'ack';
    } catch (error) {
      const reason = reasonOf(error);
      const last =
        error instanceof PermanentIndexError ||
        message.deliveryCount >= this.config.RETRIEVAL_INDEX_MAX_ATTEMPTS;
      if (!last) {
        this.logger.warn(
          { err: error, sourceId, attempt: message.deliveryCount },
          'indexing failed; will retry',
        );
        return 'retry';
      }
      this.logger.warn({ err: error, sourceId, attempts: message.deliveryCount }, 'indexing failed for good');
      await this.indexer.fail(sourceId, reason).catch(() => undefined);
      return 'ack';
    } finally {
      clearTimeout(timer);
    }
  }
}

function parse(data: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(data).toString()) as unknown;
  } catch {
    return undefined;
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof DomainError || error instanceof PermanentIndexError) return error.message;
  const text = error instanceof Error ? error.message : String(error);
  return `The file could not be indexed: ${text.slice(0, 300)}`;
}
