import { Inject, Injectable } from '@nestjs/common';
import { HealthRegistry } from '@parley/lifecycle';
import { DeliveryOutcome, DurableConsumer, DurableMessage, NatsClient } from '@parley/nats';
import { REALTIME_CONFIG, RealtimeConfig } from '../realtime.config';

/** The JetStream stream that holds completion deltas until a realtime copy has stored them. */
export const COMPLETION_STREAM = 'PARLEY_COMPLETION_DELTAS';
export const COMPLETION_SUBJECTS = 'completion.*';

export type DeliveredDelta = DurableMessage;
/** What the handler decided: `ack` once stored, `retry` to have it delivered again shortly. */
export type DeltaOutcome = DeliveryOutcome;

/**
 * Takes completion deltas from NATS with at-least-once delivery, for the replay buffer (live delivery
 * to sockets is each copy's own core-NATS subscription, CompletionForwarder). Publishers send plain
 * core-NATS messages on `completion.<message_id>`; a memory stream captures them, and the copies of
 * this service share one durable consumer (named after REALTIME_CLUSTER), so each delta goes to one
 * copy and comes back to another if that copy dies before it acknowledged. Nothing a user watches
 * waits for that redelivery: the living copies stored and emitted the delta already.
 */
@Injectable()
export class CompletionStreamRepository {
  private consumer?: DurableConsumer;

  constructor(
    @Inject(REALTIME_CONFIG) private readonly config: RealtimeConfig,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    health.register('completion-stream', () => this.consumer?.isConsuming() ?? false);
  }

  /** Makes sure the stream and consumer exist and calls `handle` for each delta in turn. */
  start(handle: (delta: DeliveredDelta) => Promise<DeltaOutcome>): void {
    this.consumer = this.nats.consumeDurable(
      {
        stream: {
          name: COMPLETION_STREAM,
          subjects: [COMPLETION_SUBJECTS],
          // Kept until every cluster's consumer acknowledged; never longer than a minute (the replay
          // buffer in Redis keeps deltas for resumes, not this stream).
          retention: 'interest',
          storage: 'memory',
          maxAgeMs: 60_000,
          maxBytes: 512 * 1024 * 1024,
        },
        consumer: {
          durable: this.config.REALTIME_CLUSTER,
          ackWaitMs: 5_000,
          maxAckPending: 20_000,
          deliver: 'new',
          inactiveThresholdMs: 300_000,
        },
      },
      handle,
    );
  }
}
