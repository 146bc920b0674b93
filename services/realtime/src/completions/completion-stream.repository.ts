import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import {
  AckPolicy,
  connect,
  ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  JsMsg,
  nanos,
  NatsConnection,
  RetentionPolicy,
  StorageType,
} from 'nats';
import { HealthRegistry } from '@parley/lifecycle';
import { LOGGER, Logger, REQUEST_ID_HEADER, runWithRequestContext, sanitizeRequestId } from '@parley/logging';
import { REALTIME_CONFIG, RealtimeConfig } from '../realtime.config';

/** The JetStream stream that holds completion deltas until a realtime copy has stored them. */
export const COMPLETION_STREAM = 'PARLEY_COMPLETION_DELTAS';
export const COMPLETION_SUBJECTS = 'completion.*';

export interface DeliveredDelta {
  subject: string;
  data: Uint8Array;
  redelivered: boolean;
}

/** What the handler decided: `ack` once stored, `retry` to have it delivered again shortly. */
export type DeltaOutcome = 'ack' | 'retry' | 'drop';

/**
 * Takes completion deltas from NATS with at-least-once delivery. Publishers send plain core-NATS
 * messages on `completion.<message_id>`; a memory stream captures them, and the copies of this service
 * share one durable consumer (named after REALTIME_CLUSTER), so each delta goes to one copy and comes
 * back to another if that copy dies before it acknowledged. A copy killed mid-answer loses nothing.
 */
@Injectable()
export class CompletionStreamRepository implements OnApplicationShutdown {
  private connection?: NatsConnection;
  private messages?: ConsumerMessages;
  private consuming = false;
  private stopped = false;

  constructor(
    @Inject(REALTIME_CONFIG) private readonly config: RealtimeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    health.register('completion-stream', () => this.consuming && !this.connection?.isClosed());
  }

  /** Connects, makes sure the stream and consumer exist, and calls `handle` for each delta in turn. */
  async start(handle: (delta: DeliveredDelta) => Promise<DeltaOutcome>): Promise<void> {
    this.connection = await connect({
      servers: this.config.NATS_URL,
      name: `realtime-completions-${process.pid}`,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
    while (!this.stopped) {
      try {
        await this.ensureConsumer();
        await this.consume(handle);
      } catch (error) {
        this.consuming = false;
        if (this.stopped) break;
        this.logger.warn({ err: error }, 'completion stream: consumer failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  private async ensureConsumer(): Promise<void> {
    const jsm = await this.connection!.jetstreamManager();
    const stream = {
      name: COMPLETION_STREAM,
      subjects: [COMPLETION_SUBJECTS],
      // Kept until every cluster's consumer acknowledged; never longer than a minute (the replay
      // buffer in Redis keeps deltas for resumes, not this stream).
      retention: RetentionPolicy.Interest,
      storage: StorageType.Memory,
      discard: DiscardPolicy.Old,
      max_age: nanos(60_000),
      max_bytes: 512 * 1024 * 1024,
      num_replicas: 1,
    };
    await jsm.streams.add(stream).catch(async (error: Error) => {
      if (!/already in use/i.test(error.message)) throw error;
      await jsm.streams.update(COMPLETION_STREAM, stream);
    });
    const consumer = {
      ack_wait: nanos(5_000),
      max_ack_pending: 20_000,
      // A cluster that is gone for good (a finished test, a removed installation) stops holding deltas.
      inactive_threshold: nanos(300_000),
    };
    await jsm.consumers
      .add(COMPLETION_STREAM, {
        durable_name: this.config.REALTIME_CLUSTER,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        ...consumer,
      })
      .catch(async (error: Error) => {
        // Made by an older version with other settings: bring the editable ones up to date.
        if (!/already exists|already in use/i.test(error.message)) throw error;
        await jsm.consumers.update(COMPLETION_STREAM, this.config.REALTIME_CLUSTER, consumer);
      });
  }

  private async consume(handle: (delta: DeliveredDelta) => Promise<DeltaOutcome>): Promise<void> {
    const consumer = await this.connection!.jetstream().consumers.get(
      COMPLETION_STREAM,
      this.config.REALTIME_CLUSTER,
    );
    this.messages = await consumer.consume({ max_messages: 64, idle_heartbeat: 2_000 });
    this.consuming = true;
    this.logger.info({ stream: COMPLETION_STREAM }, 'consuming completion deltas');
    for await (const message of this.messages) {
      await this.deliver(message, handle);
    }
    this.consuming = false;
  }

  private async deliver(message: JsMsg, handle: (delta: DeliveredDelta) => Promise<DeltaOutcome>) {
    const requestId = sanitizeRequestId(message.headers?.get(REQUEST_ID_HEADER) || undefined);
    let outcome: DeltaOutcome;
    try {
      outcome = await runWithRequestContext({ requestId }, () =>
        handle({ subject: message.subject, data: message.data, redelivered: message.redelivered }),
      );
    } catch (error) {
      this.logger.warn({ err: error, subject: message.subject }, 'completion delta failed; will retry');
      outcome = 'retry';
    }
    if (outcome === 'retry') message.nak(250);
    else message.ack();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.consuming = false;
    // Unacknowledged deltas go to another copy after ack_wait.
    await this.messages?.close().catch(() => undefined);
    await this.connection?.drain().catch(() => undefined);
  }
}
