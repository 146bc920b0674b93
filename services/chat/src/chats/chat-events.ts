import type { MessageInitShape } from '@bufbuild/protobuf';
import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, Logger } from '@parley/logging';
import { EVENT_VERSION, EVENTS, NatsClient } from '@parley/nats';
import type { eventsV1 } from '@parley/proto';
import type { ChatRow } from './chats.repository';

/** What changed, in `chat.updated` events (the values of ChatUpdated.change, proto/parley/events/v1). */
export type ChatChange = 'chat' | 'message' | 'current' | 'pinned' | 'archived' | 'folder' | 'tags' | 'share';

type ChatRefInit = MessageInitShape<typeof eventsV1.ChatRefSchema>;

export function summaryEvent(row: ChatRow): ChatRefInit {
  return {
    id: row.id,
    userId: row.userId,
    title: row.title,
    createdAt: Math.floor(row.createdAt.getTime() / 1000),
    updatedAt: Math.floor(row.updatedAt.getTime() / 1000),
    pinned: row.pinned,
    archived: row.archived,
    // Absent, not null, when the chat is in no folder (protobuf JSON has no null for a string).
    ...(row.folderId ? { folderId: row.folderId } : {}),
  };
}

/** Publishes chat events after the change is saved; a failed publish is logged, never thrown. */
@Injectable()
export class ChatEvents {
  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  created(row: ChatRow): void {
    this.publish(row.id, () =>
      this.nats.publish(EVENTS.chatCreated, { v: EVENT_VERSION, chat: summaryEvent(row) }),
    );
  }

  updated(row: ChatRow, change: ChatChange, messageId?: string): void {
    this.publish(row.id, () =>
      this.nats.publish(EVENTS.chatUpdated, {
        v: EVENT_VERSION,
        chat: summaryEvent(row),
        change,
        ...(messageId ? { messageId } : {}),
      }),
    );
  }

  deleted(row: { id: string; userId: string }): void {
    this.publish(row.id, () =>
      this.nats.publish(EVENTS.chatDeleted, { v: EVENT_VERSION, chat: { id: row.id, userId: row.userId } }),
    );
  }

  /** Every chat of a user was deleted: one event, whose chat has no id. */
  allDeleted(userId: string): void {
    this.publish(null, () =>
      this.nats.publish(EVENTS.chatDeleted, { v: EVENT_VERSION, chat: { userId }, all: true }),
    );
  }

  /** One change to every chat of a user (archive all): one event, whose chat has no id. */
  allUpdated(userId: string, change: ChatChange): void {
    this.publish(null, () =>
      this.nats.publish(EVENTS.chatUpdated, { v: EVENT_VERSION, chat: { userId }, all: true, change }),
    );
  }

  private publish(chatId: string | null, send: () => void): void {
    try {
      send();
    } catch (error) {
      // The change is saved; only other tabs miss the live update until they refresh.
      this.logger.warn({ err: error, chatId }, 'chat event not published');
    }
  }
}
