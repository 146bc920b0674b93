import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER, Logger } from '@parley/logging';
import { EVENTS, NatsClient, type EventSpec } from '@parley/nats';
import type { eventsV1 } from '@parley/proto';
import { REALTIME_CONFIG, RealtimeConfig } from '../realtime.config';
import { chatRoom, userRoom } from '../sockets/rooms';
import { SocketEmitter } from '../sockets/socket-emitter';
import { UsagePoolService } from '../usage/usage-pool.service';
import {
  chatInBounds,
  fileStatusInBounds,
  knowledgeStatusInBounds,
  SOCKET_EVENTS,
  taskInBounds,
  toFileIndexStatusEvent,
} from './realtime-events';

/** An event about a chat goes to its owner's room and (one chat) the chat's room. */
function chatRooms({ chat }: { chat?: eventsV1.ChatRef }): string[] | undefined {
  if (!chatInBounds(chat)) return undefined;
  return chat.id ? [userRoom(chat.userId), chatRoom(chat.id)] : [userRoom(chat.userId)];
}

function taskRooms({ task }: { task?: eventsV1.TaskRef }): string[] | undefined {
  if (!taskInBounds(task)) return undefined;
  return [userRoom(task.userId), ...(task.chatId ? [chatRoom(task.chatId)] : [])];
}

/**
 * Passes domain events from NATS to the owner's sockets. The copies of this service share one queue
 * group, so each event is taken by one copy; the Redis adapter then carries the emit to the owner's
 * sockets (and the chat's room) on every copy. Every tab gets the event once, whichever copy it is
 * connected to. Each NATS event goes on as the Socket.IO event with the same message
 * (docs/realtime-events.md).
 */
@Injectable()
export class EventForwarder implements OnApplicationBootstrap {
  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(SocketEmitter) private readonly emitter: SocketEmitter,
    @Inject(UsagePoolService) private readonly usage: UsagePoolService,
    @Inject(REALTIME_CONFIG) private readonly config: RealtimeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.pass(EVENTS.chatCreated, SOCKET_EVENTS.chatCreated, chatRooms);
    this.pass(EVENTS.chatUpdated, SOCKET_EVENTS.chatUpdated, chatRooms);
    this.pass(EVENTS.chatDeleted, SOCKET_EVENTS.chatDeleted, chatRooms);
    this.pass(EVENTS.chatTitleSet, SOCKET_EVENTS.chatTitle, chatRooms);
    this.pass(EVENTS.taskStarted, SOCKET_EVENTS.taskStarted, taskRooms, async ({ task }) => {
      if (task?.modelId) await this.usage.started(task.id, task.modelId);
    });
    this.pass(EVENTS.taskStopped, SOCKET_EVENTS.taskStopped, taskRooms, async ({ task }) => {
      if (task) await this.usage.stopped(task.id);
    });
    // Extraction progress of an upload, to its owner's tabs only.
    this.pass(EVENTS.fileStatus, SOCKET_EVENTS.fileStatus, (event) =>
      fileStatusInBounds(event) ? [userRoom(event.userId)] : undefined,
    );
    // Indexing progress of a file (after extraction's), and of a knowledge base, to the owner's tabs.
    this.forward(
      EVENTS.fileIndexStatus,
      SOCKET_EVENTS.fileIndexStatus,
      (event) => (fileStatusInBounds(event) ? [userRoom(event.userId)] : undefined),
      toFileIndexStatusEvent,
    );
    this.pass(EVENTS.knowledgeStatus, SOCKET_EVENTS.knowledgeStatus, (event) =>
      knowledgeStatusInBounds(event) ? [userRoom(event.userId)] : undefined,
    );
  }

  /** Subscribes to one event and emits its message to the rooms `roomsOf` names (none: dropped). */
  private pass<Desc extends DescMessage>(
    from: EventSpec<Desc>,
    to: EventSpec<Desc>,
    roomsOf: (event: MessageShape<Desc>) => string[] | undefined,
    after?: (event: MessageShape<Desc>) => Promise<void>,
  ): void {
    this.forward(from, to, roomsOf, (event) => event, after);
  }

  /** As pass, emitting `toMessage(event)`: a socket event whose message is not the NATS one. */
  private forward<From extends DescMessage, To extends DescMessage>(
    from: EventSpec<From>,
    to: EventSpec<To>,
    roomsOf: (event: MessageShape<From>) => string[] | undefined,
    toMessage: (event: MessageShape<From>) => MessageInitShape<To>,
    after?: (event: MessageShape<From>) => Promise<void>,
  ): void {
    void this.nats.subscribe(from, { queue: this.config.REALTIME_CLUSTER }, async (event, meta) => {
      const rooms = roomsOf(event);
      if (!rooms) {
        this.logger.warn({ subject: meta.subject }, 'event dropped: ids out of bounds');
        return;
      }
      this.emitter.toRooms(rooms, to, toMessage(event));
      this.logger.debug({ subject: meta.subject }, 'event forwarded');
      await after?.(event);
    });
  }
}
