import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { connect, headers as natsHeaders, JSONCodec, MsgHdrs, NatsConnection, Subscription } from 'nats';
import { DomainError, ErrorKind } from '@parley/errors';
import {
  currentRequestId,
  REQUEST_ID_HEADER,
  runWithRequestContext,
  sanitizeRequestId,
  type Logger,
} from '@parley/logging';
import {
  extractTraceContext,
  injectTraceContext,
  inSpan,
  natsMessagesTotal,
  SpanKind,
} from '@parley/telemetry';
import {
  ensureStream,
  startDurableConsumer,
  type DeliveryOutcome,
  type DurableConsumer,
  type DurableConsumption,
  type DurableMessage,
  type DurableStreamSpec,
} from './durable-consumer';
import { decodeEvent, encodeEvent, type EventFamily, type EventSpec } from './event-subjects';
import { SubjectNamespace } from './subject-namespace';

export interface NatsClientOptions {
  url: string;
  /** Shown in the NATS server's connection list: the service name and pid. */
  name: string;
  logger: Logger;
  /** This installation's prefix on a shared NATS (natsSubjectPrefix); empty or unset: none. */
  subjectPrefix?: string;
}

export interface EventMeta {
  subject: string;
  requestId: string;
}

const codec = JSONCodec<unknown>();

/**
 * The one NATS connection of a process. It keeps reconnecting for as long as the process lives, reports
 * whether it is connected (for readiness) and carries the request id and trace context in the headers
 * of every message.
 */
export class NatsClient {
  private connection?: NatsConnection;
  private connected = false;
  private closing = false;
  private readonly subscriptions: Subscription[] = [];
  private readonly durables: DurableConsumer[] = [];
  private readonly streamsEnsured = new Set<string>();
  private readonly ready: Promise<NatsConnection>;
  /** Every subject and stream name goes through it: callers use the plain names of EVENTS and STREAMS. */
  private readonly namespace: SubjectNamespace;

  constructor(private readonly options: NatsClientOptions) {
    this.namespace = new SubjectNamespace(options.subjectPrefix ?? '');
    this.ready = this.open();
    // The first connection may take a while when NATS is down at start; readiness says so meanwhile.
    this.ready.catch((error) => options.logger.error({ err: error }, 'NATS connection failed for good'));
  }

  private async open(): Promise<NatsConnection> {
    const connection = await connect({
      // NATS_URL may list a cluster's seed servers, comma-separated.
      servers: this.options.url.split(',').map((server) => server.trim()),
      name: this.options.name,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      pingInterval: 10_000,
    });
    this.connection = connection;
    this.connected = true;
    this.options.logger.info({ server: connection.getServer() }, 'connected to NATS');
    void (async () => {
      for await (const status of connection.status()) {
        if (status.type === 'disconnect') {
          this.connected = false;
          this.options.logger.warn('NATS disconnected; reconnecting');
        } else if (status.type === 'reconnect') {
          this.connected = true;
          this.options.logger.info('NATS reconnected');
        }
      }
    })();
    return connection;
  }

  isConnected(): boolean {
    return this.connected && !this.closing;
  }

  /** Resolves once connected (waits up to timeoutMs). */
  async whenConnected(timeoutMs: number): Promise<boolean> {
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    return Promise.race([this.ready.then(() => true), timeout]);
  }

  /**
   * Fire-and-forget event on core NATS: the subject's message (EVENTS), written as its JSON form.
   * Throws Unavailable when NATS is not reachable right now, EventShapeError for a payload that is not
   * the subject's message.
   */
  publish<Desc extends DescMessage>(event: EventSpec<Desc>, message: MessageInitShape<Desc>): void {
    const payload = codec.encode(encodeEvent(event, message));
    if (!this.connection || !this.connected) {
      throw new DomainError(ErrorKind.Unavailable, 'The event bus (NATS) is unavailable; try again shortly.');
    }
    this.connection.publish(this.namespace.subject(event.subject), payload, {
      headers: this.outgoingHeaders(),
    });
    natsMessagesTotal.inc({ subject: subjectLabel(event.subject), direction: 'out' });
  }

  /**
   * Subscribes to an event (a family: every member, by its wildcard pattern). With a queue group, each
   * message goes to one member of the group: copies of one service share the work instead of each
   * doing it. A payload that is not the event's message is logged and dropped before the handler.
   */
  async subscribe<Desc extends DescMessage>(
    event: EventSpec<Desc> | EventFamily<Desc>,
    options: { queue?: string },
    handler: (message: MessageShape<Desc>, meta: EventMeta) => Promise<void> | void,
  ): Promise<void> {
    const subject = 'pattern' in event ? event.pattern : event.subject;
    const connection = await this.ready;
    const subscription = connection.subscribe(this.namespace.subject(subject), { queue: options.queue });
    this.subscriptions.push(subscription);
    void (async () => {
      for await (const message of subscription) {
        const local = this.namespace.local(message.subject);
        const requestId = sanitizeRequestId(message.headers?.get(REQUEST_ID_HEADER) || undefined);
        const parent = extractTraceContext((key) => message.headers?.get(key) || undefined);
        natsMessagesTotal.inc({ subject: subjectLabel(local), direction: 'in' });
        await runWithRequestContext({ requestId }, () =>
          inSpan(`NATS ${local}`, { kind: SpanKind.CONSUMER, parent }, async () => {
            let decoded: MessageShape<Desc>;
            try {
              decoded = decodeEvent(event, codec.decode(message.data));
            } catch (error) {
              this.options.logger.warn({ err: error, subject: local }, 'event dropped: wrong shape');
              return;
            }
            try {
              await handler(decoded, { subject: local, requestId });
            } catch (error) {
              this.options.logger.error({ err: error, subject: local }, 'event handler failed');
            }
          }),
        ).catch(() => undefined);
      }
    })();
  }

  /**
   * Work that must not be lost: a durable JetStream consumer (explicit ack, redelivery to another copy),
   * on this one connection. Stopped before the connection drains.
   */
  consumeDurable(
    spec: DurableConsumption,
    handle: (message: DurableMessage) => Promise<DeliveryOutcome>,
  ): DurableConsumer {
    const namespace = this.namespace;
    const consumer = startDurableConsumer(
      this.ready,
      this.options.logger,
      { ...spec, stream: namespace.stream(spec.stream) },
      (message) => handle({ ...message, subject: namespace.local(message.subject) }),
    );
    this.durables.push(consumer);
    return consumer;
  }

  /**
   * Publishes to a JetStream stream (made if missing) and resolves once the server stored it: for work and
   * events that must not be lost. Throws Unavailable when NATS or JetStream does not answer.
   */
  async publishDurable(plainStream: DurableStreamSpec, subject: string, payload: unknown): Promise<void> {
    const connection = this.connection;
    const stream = this.namespace.stream(plainStream);
    if (!connection || !this.connected) {
      throw new DomainError(ErrorKind.Unavailable, 'The event bus (NATS) is unavailable; try again shortly.');
    }
    try {
      if (!this.streamsEnsured.has(stream.name)) {
        await ensureStream(connection, stream);
        this.streamsEnsured.add(stream.name);
      }
      await connection
        .jetstream()
        .publish(this.namespace.subject(subject), codec.encode(payload), { headers: this.outgoingHeaders() });
    } catch (error) {
      this.streamsEnsured.delete(stream.name);
      this.options.logger.warn({ err: error, subject }, 'JetStream publish failed');
      throw new DomainError(ErrorKind.Unavailable, 'The event bus (NATS) is unavailable; try again shortly.');
    }
    natsMessagesTotal.inc({ subject: subjectLabel(subject), direction: 'out' });
  }

  private outgoingHeaders(): MsgHdrs {
    const headers = natsHeaders();
    const requestId = currentRequestId();
    if (requestId) headers.set(REQUEST_ID_HEADER, requestId);
    const carrier: Record<string, string> = {};
    injectTraceContext(carrier);
    for (const [key, value] of Object.entries(carrier)) headers.set(key, value);
    return headers;
  }

  /** Lets handlers in progress finish and flushes what was published, then closes. */
  async drain(): Promise<void> {
    this.closing = true;
    await Promise.all(this.durables.map((consumer) => consumer.stop()));
    if (!this.connection) return;
    await this.connection.drain().catch(() => undefined);
  }
}

function subjectLabel(subject: string): string {
  // Keep metric cardinality bounded: per-completion subjects carry ids after the second token.
  return subject.split('.').slice(0, 2).join('.');
}
