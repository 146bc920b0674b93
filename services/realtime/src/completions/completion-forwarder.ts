import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JSONCodec } from 'nats';
import { LOGGER, Logger } from '@parley/logging';
import { decodeEvent, EVENTS, NatsClient } from '@parley/nats';
import type { eventsV1 } from '@parley/proto';
import { deltaInBounds, SOCKET_EVENTS, toChatCompletionEvent } from '../events/realtime-events';
import { REALTIME_CONFIG, RealtimeConfig } from '../realtime.config';
import { chatRoom, userRoom } from '../sockets/rooms';
import { SocketEmitter } from '../sockets/socket-emitter';
import { realtimeMetrics } from '../realtime.metrics';
import { CompletionStreamRepository, DeliveredDelta, DeltaOutcome } from './completion-stream.repository';
import { ReplayBufferRepository } from './replay-buffer.repository';

const codec = JSONCodec<unknown>();

/**
 * Completion deltas from NATS to the owner's sockets, on two paths (docs/realtime-events.md):
 *
 * - Live: every copy subscribes to `completion.*` on core NATS (no queue group), stores each delta in
 *   the replay buffer and then emits it to its own sockets only. A socket gets each delta once, in
 *   published order, from the copy it is connected to; a copy that dies takes nothing from the
 *   others' sockets with it (no delta waits for a redelivery).
 * - Kept: the copies share a durable JetStream consumer that stores each delta too, so the replay
 *   buffer is complete even for deltas no live copy saw (no copy running, a copy cut off from NATS):
 *   resumes on reconnect read it.
 *
 * Storing before the local emit is what makes resumes exact: a socket that joins a copy either gets a
 * delta live (processed after it joined) or finds it stored (processed before).
 */
@Injectable()
export class CompletionForwarder implements OnApplicationBootstrap {
  private readonly ttlMs: number;

  constructor(
    @Inject(CompletionStreamRepository) private readonly stream: CompletionStreamRepository,
    @Inject(ReplayBufferRepository) private readonly buffer: ReplayBufferRepository,
    @Inject(SocketEmitter) private readonly emitter: SocketEmitter,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(REALTIME_CONFIG) config: RealtimeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.ttlMs = config.REALTIME_REPLAY_TTL_SECONDS * 1000;
  }

  onApplicationBootstrap(): void {
    void this.nats.subscribe(EVENTS.completionDelta, {}, (delta, meta) => this.deliver(delta, meta.subject));
    this.stream.start((delta) => this.keep(delta));
  }

  /** The live path: store, then emit to this copy's sockets in the user's and the chat's rooms. */
  async deliver(delta: eventsV1.CompletionDelta, subject: string): Promise<void> {
    // Counted (and logged) once, by the kept path.
    if (!isDeltaOf(delta, subject)) return;
    try {
      await this.buffer.store(delta, this.ttlMs);
    } catch (error) {
      // The user still sees it now; the kept path stores it once Redis answers.
      this.logger.warn(
        { err: error, messageId: delta.messageId },
        'completion delta emitted before it was stored',
      );
    }
    this.emitter.toLocalRooms(
      [userRoom(delta.userId), chatRoom(delta.chatId)],
      SOCKET_EVENTS.chatCompletion,
      toChatCompletionEvent(delta),
    );
    realtimeMetrics.completionDeltas.inc({ outcome: 'forwarded' });
  }

  /** The kept path: store (a no-op when a live copy stored it first), then acknowledge. */
  async keep(message: DeliveredDelta): Promise<DeltaOutcome> {
    let delta: eventsV1.CompletionDelta | undefined;
    try {
      delta = decodeEvent(EVENTS.completionDelta, codec.decode(message.data));
    } catch {
      delta = undefined;
    }
    if (!delta || !isDeltaOf(delta, message.subject)) {
      realtimeMetrics.completionDeltas.inc({ outcome: 'invalid' });
      this.logger.warn({ subject: message.subject }, 'completion delta ignored: not a v1 delta');
      return 'drop';
    }
    // New here means no live copy stored it: it reached the replay buffer only through this path.
    if (await this.buffer.store(delta, this.ttlMs))
      realtimeMetrics.completionDeltas.inc({ outcome: 'recovered' });
    return 'ack';
  }
}

function isDeltaOf(delta: eventsV1.CompletionDelta, subject: string): boolean {
  return deltaInBounds(delta) && EVENTS.completionDelta.tokenOf(subject) === delta.messageId;
}
