import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, Logger } from '@parley/logging';
import { NatsClient } from '@parley/nats';
import type { ChatRow } from './chats.repository';

/** Subjects of the chat events; payloads are documented in docs/events.md. */
export const CHAT_CREATED = 'chat.created';
export const CHAT_UPDATED = 'chat.updated';
export const CHAT_DELETED = 'chat.deleted';

/** What changed, in `chat.updated` events. */
export type ChatChange = 'chat' | 'message' | 'current' | 'pinned' | 'archived' | 'folder' | 'tags' | 'share';

export function summaryEvent(row: ChatRow) {
  return {
    id: row.id,
    user_id: row.userId,
    title: row.title,
    created_at: Math.floor(row.createdAt.getTime() / 1000),
    updated_at: Math.floor(row.updatedAt.getTime() / 1000),
    pinned: row.pinned,
    archived: row.archived,
    folder_id: row.folderId,
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
    this.publish(CHAT_CREATED, { v: 1, chat: summaryEvent(row) });
  }

  updated(row: ChatRow, change: ChatChange, messageId?: string): void {
    this.publish(CHAT_UPDATED, {
      v: 1,
      chat: summaryEvent(row),
      change,
      ...(messageId ? { message_id: messageId } : {}),
    });
  }

  deleted(row: { id: string; userId: string }): void {
    this.publish(CHAT_DELETED, { v: 1, chat: { id: row.id, user_id: row.userId } });
  }

  /** One event for a change to every chat of a user (delete all, archive all). */
  all(subject: typeof CHAT_UPDATED | typeof CHAT_DELETED, userId: string, change?: ChatChange): void {
    this.publish(subject, {
      v: 1,
      chat: { id: null, user_id: userId },
      all: true,
      ...(change ? { change } : {}),
    });
  }

  private publish(
    subject: string,
    payload: { v: number; chat: { id: string | null; user_id: string }; [field: string]: unknown },
  ): void {
    try {
      this.nats.publish(subject, payload);
    } catch (error) {
      // The change is saved; only other tabs miss the live update until they refresh.
      this.logger.warn({ err: error, subject, chatId: payload.chat.id }, 'chat event not published');
    }
  }
}
