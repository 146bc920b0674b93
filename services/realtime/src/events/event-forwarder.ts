import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER, Logger } from '@parley/logging';
import { NatsClient } from '@parley/nats';
import { REALTIME_CONFIG, RealtimeConfig } from '../realtime.config';
import { chatRoom, userRoom } from '../sockets/rooms';
import { SocketEmitter } from '../sockets/socket-emitter';
import { UsagePoolService } from '../usage/usage-pool.service';
import { CHAT_EVENTS, chatEventSchema, TASK_EVENTS, taskEventSchema } from './realtime-events';

/**
 * Passes domain events from NATS to the owner's sockets. The copies of this service share one queue
 * group, so each event is taken by one copy; the Redis adapter then carries the emit to the owner's
 * sockets (and the chat's room) on every copy. Every tab gets the event once, whichever copy it is
 * connected to. Payloads are documented in docs/realtime-events.md.
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

  async onApplicationBootstrap(): Promise<void> {
    const queue = this.config.REALTIME_CLUSTER;
    void this.nats.subscribe<unknown>('chat.*', { queue }, (payload, meta) => {
      const name = CHAT_EVENTS[meta.subject];
      const event = chatEventSchema.safeParse(payload);
      if (!name || !event.success) return;
      const { chat } = event.data;
      this.emitter.toRooms(
        chat.id ? [userRoom(chat.user_id), chatRoom(chat.id)] : [userRoom(chat.user_id)],
        name,
        event.data,
      );
      this.logger.debug({ subject: meta.subject, chatId: chat.id }, 'event forwarded');
    });
    void this.nats.subscribe<unknown>('task.*', { queue }, async (payload, meta) => {
      const name = TASK_EVENTS[meta.subject];
      const event = taskEventSchema.safeParse(payload);
      if (!name || !event.success) return;
      const { task } = event.data;
      const rooms = [userRoom(task.user_id), ...(task.chat_id ? [chatRoom(task.chat_id)] : [])];
      this.emitter.toRooms(rooms, name, event.data);
      if (meta.subject === 'task.started' && task.model_id) await this.usage.started(task.id, task.model_id);
      if (meta.subject === 'task.stopped') await this.usage.stopped(task.id);
    });
  }
}
