import {
  AckPolicy,
  ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  JsMsg,
  nanos,
  NatsConnection,
  RetentionPolicy,
  StorageType,
} from 'nats';
import { REQUEST_ID_HEADER, runWithRequestContext, sanitizeRequestId, type Logger } from '@parley/logging';
import { extractTraceContext, inSpan, SpanKind } from '@parley/telemetry';

/** The stream a durable consumer reads; created if missing, its editable settings kept up to date. */
export interface DurableStreamSpec {
  name: string;
  subjects: string[];
  /** `interest`: kept until every consumer acknowledged; `limits`: kept until the limits below. */
  retention: 'interest' | 'limits' | 'workqueue';
  storage: 'memory' | 'file';
  maxAgeMs: number;
  maxBytes: number;
  replicas?: number;
}

export interface DurableConsumerSpec {
  /** Copies of one service share this name, so each message goes to one of them. */
  durable: string;
  /** Unacknowledged this long, a message is delivered again (to any copy). */
  ackWaitMs: number;
  maxAckPending: number;
  /** Only messages published after the consumer was created (`new`), or everything kept (`all`). */
  deliver: 'new' | 'all';
  /** A consumer nobody read from this long is removed by the server (a gone installation, a test). */
  inactiveThresholdMs?: number;
}

export interface DurableMessage {
  subject: string;
  data: Uint8Array;
  redelivered: boolean;
  /** 1 on the first delivery; counts redeliveries after a retry or an ack wait that passed. */
  deliveryCount: number;
}

/** `ack` once handled for good, `retry` to have it delivered again shortly, `drop` to give it up. */
export type DeliveryOutcome = 'ack' | 'retry' | 'drop';

export interface DurableConsumer {
  /** True while messages are being pulled (the readiness check of a consumer that must not fall behind). */
  isConsuming(): boolean;
  /** Stops pulling; unacknowledged messages go to another copy after ackWait. */
  stop(): Promise<void>;
}

export interface DurableConsumption {
  stream: DurableStreamSpec;
  consumer: DurableConsumerSpec;
  /** Wait before consuming again after the consumer failed (1 s by default). */
  retryDelayMs?: number;
  /** How long a `retry` waits before the redelivery, by delivery count (250 ms by default). */
  retryBackoffMs?: (deliveryCount: number) => number;
}

/** Creates the stream if missing and keeps its editable settings up to date. */
export async function ensureStream(nc: NatsConnection, spec: DurableStreamSpec): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const stream = {
    name: spec.name,
    subjects: spec.subjects,
    retention: RETENTION[spec.retention],
    storage: spec.storage === 'memory' ? StorageType.Memory : StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(spec.maxAgeMs),
    max_bytes: spec.maxBytes,
    num_replicas: spec.replicas ?? 1,
  };
  await jsm.streams.add(stream).catch(async (error: Error) => {
    if (!/already in use/i.test(error.message)) throw error;
    await jsm.streams.update(spec.name, stream);
  });
}

const RETENTION = {
  interest: RetentionPolicy.Interest,
  limits: RetentionPolicy.Limits,
  workqueue: RetentionPolicy.Workqueue,
};

/**
 * At-least-once delivery from a JetStream stream through a durable consumer with explicit ack, over
 * the process's one NATS connection. It makes sure the stream and consumer exist, hands messages to
 * `handle` one at a time (with the publisher's request id and trace context), acks, naks for a retry,
 * and starts again after any failure (NATS restarted, the stream deleted) until stopped.
 */
export function startDurableConsumer(
  connection: Promise<NatsConnection>,
  logger: Logger,
  spec: DurableConsumption,
  handle: (message: DurableMessage) => Promise<DeliveryOutcome>,
): DurableConsumer {
  let messages: ConsumerMessages | undefined;
  let inFlight: Promise<void> | undefined;
  let consuming = false;
  let stopped = false;
  let wake: (() => void) | undefined;
  const log = { stream: spec.stream.name, consumer: spec.consumer.durable };

  const ensure = async (nc: NatsConnection) => {
    const jsm = await nc.jetstreamManager();
    await ensureStream(nc, spec.stream);
    const editable = {
      ack_wait: nanos(spec.consumer.ackWaitMs),
      max_ack_pending: spec.consumer.maxAckPending,
      ...(spec.consumer.inactiveThresholdMs
        ? { inactive_threshold: nanos(spec.consumer.inactiveThresholdMs) }
        : {}),
    };
    await jsm.consumers
      .add(spec.stream.name, {
        durable_name: spec.consumer.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: spec.consumer.deliver === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
        ...editable,
      })
      .catch(async (error: Error) => {
        // Made by an older version with other settings: bring the editable ones up to date.
        if (!/already exists|already in use/i.test(error.message)) throw error;
        await jsm.consumers.update(spec.stream.name, spec.consumer.durable, editable);
      });
    return nc.jetstream().consumers.get(spec.stream.name, spec.consumer.durable);
  };

  const deliver = async (message: JsMsg) => {
    const requestId = sanitizeRequestId(message.headers?.get(REQUEST_ID_HEADER) || undefined);
    const parent = extractTraceContext((key) => message.headers?.get(key) || undefined);
    let outcome: DeliveryOutcome;
    try {
      outcome = await runWithRequestContext({ requestId }, () =>
        inSpan(`NATS ${message.subject}`, { kind: SpanKind.CONSUMER, parent }, () =>
          handle({
            subject: message.subject,
            data: message.data,
            redelivered: message.redelivered,
            deliveryCount: message.info.deliveryCount,
          }),
        ),
      );
    } catch (error) {
      logger.warn({ err: error, subject: message.subject, ...log }, 'durable message failed; will retry');
      outcome = 'retry';
    }
    if (outcome === 'retry') message.nak(spec.retryBackoffMs?.(message.info.deliveryCount) ?? 250);
    else if (outcome === 'drop') message.term();
    else message.ack();
  };

  void (async () => {
    const nc = await connection;
    while (!stopped) {
      try {
        const consumer = await ensure(nc);
        messages = await consumer.consume({ max_messages: 64, idle_heartbeat: 2_000 });
        consuming = true;
        logger.info(log, 'consuming a durable stream');
        for await (const message of messages) {
          inFlight = deliver(message);
          await inFlight;
          inFlight = undefined;
        }
      } catch (error) {
        if (!stopped) logger.warn({ err: error, ...log }, 'durable consumer failed; starting again');
      }
      consuming = false;
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, spec.retryDelayMs ?? 1_000).unref();
      });
    }
  })().catch((error: unknown) => logger.error({ err: error, ...log }, 'durable consumer ended'));

  return {
    isConsuming: () => consuming && !stopped,
    stop: async () => {
      stopped = true;
      consuming = false;
      wake?.();
      messages?.stop();
      // The message being handled may finish and be acknowledged; one that takes longer than ackWait is
      // delivered to another copy anyway, so stopping never waits longer than that.
      if (inFlight)
        await Promise.race([
          inFlight.catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, spec.consumer.ackWaitMs).unref()),
        ]);
    },
  };
}
