import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JSONCodec } from 'nats';
import { LOGGER, Logger } from '@parley/logging';
import { decodeEvent, EVENTS } from '@parley/nats';
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
 * Completion deltas from NATS to the owner's sockets: store the delta in the replay buffer first, then
 * emit `chat:completion` to the user's and the chat's rooms, note the emit, then acknowledge. A delta
 * is emitted by the copy that stored it; a redelivered one is emitted again only when the copy that
 * stored it died before its emit went out. Clients still drop a seq they already hold (a copy can die
 * between its emit and the note).
 */
@Injectable()
export class CompletionForwarder implements OnApplicationBootstrap {
  private readonly ttlMs: number;

  constructor(
    @Inject(CompletionStreamRepository) private readonly stream: CompletionStreamRepository,
    @Inject(ReplayBufferRepository) private readonly buffer: ReplayBufferRepository,
    @Inject(SocketEmitter) private readonly emitter: SocketEmitter,
    @Inject(REALTIME_CONFIG) config: RealtimeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.ttlMs = config.REALTIME_REPLAY_TTL_SECONDS * 1000;
  }

  onApplicationBootstrap(): void {
    this.stream.start((delta) => this.forward(delta));
  }

  async forward(message: DeliveredDelta): Promise<DeltaOutcome> {
    let delta: eventsV1.CompletionDelta | undefined;
    try {
      delta = decodeEvent(EVENTS.completionDelta, codec.decode(message.data));
    } catch {
      delta = undefined;
    }
    if (
      !delta ||
      !deltaInBounds(delta) ||
      EVENTS.completionDelta.tokenOf(message.subject) !== delta.messageId
    ) {
      realtimeMetrics.completionDeltas.inc({ outcome: 'invalid' });
      this.logger.warn({ subject: message.subject }, 'completion delta ignored: not a v1 delta');
      return 'drop';
    }
    const isNew = await this.buffer.store(delta, this.ttlMs);
    // Redelivered after another copy stored it: emit only if that copy died before its emit went out.
    const emit =
      isNew || (message.redelivered && !(await this.buffer.wasEmitted(delta.messageId, delta.seq)));
    if (emit) {
      this.emitter.toRooms(
        [userRoom(delta.userId), chatRoom(delta.chatId)],
        SOCKET_EVENTS.chatCompletion,
        toChatCompletionEvent(delta),
      );
      await this.buffer.markEmitted(delta.messageId, delta.seq, this.ttlMs);
    }
    realtimeMetrics.completionDeltas.inc({ outcome: emit ? 'forwarded' : 'duplicate' });
    return 'ack';
  }
}
