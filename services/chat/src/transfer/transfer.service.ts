import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DomainError, ErrorKind } from '@parley/errors';
import { buildChatDocument } from '../chats/chat-document';
import { ChatEvents } from '../chats/chat-events';
import { ChatsRepository } from '../chats/chats.repository';
import { ChatsService, ChatWithDocument } from '../chats/chats.service';
import { isUuid, requireUserId, uuidFromName } from '../common/ids';
import { FoldersRepository } from '../folders/folders.repository';
import { readImportItem } from './import-item';

const EXPORT_BATCH = 100;

/** Export (streamed in batches) and repeatable import of whole chats. */
@Injectable()
export class TransferService {
  constructor(
    @Inject(ChatsService) private readonly chatsService: ChatsService,
    @Inject(ChatsRepository) private readonly chats: ChatsRepository,
    @Inject(FoldersRepository) private readonly folders: FoldersRepository,
    @Inject(ChatEvents) private readonly events: ChatEvents,
  ) {}

  /** Every chat of the user, oldest first, reading one batch at a time so memory stays flat. */
  async *export(userId: string, signal?: AbortSignal): AsyncGenerator<ChatWithDocument> {
    requireUserId(userId);
    let after: { createdAt: Date; id: string } | null = null;
    for (;;) {
      if (signal?.aborted) return;
      const rows = await this.chats.exportBatch(userId, after, EXPORT_BATCH);
      if (!rows.length) return;
      const messages = await this.chats.messagesOfMany(rows.map((r) => r.id));
      for (const row of rows) yield { row, document: buildChatDocument(row, messages.get(row.id) ?? []) };
      const last = rows[rows.length - 1]!;
      after = { createdAt: last.createdAt, id: last.id };
      if (rows.length < EXPORT_BATCH) return;
    }
  }

  /**
   * Imports chats. Each lands under an id derived from the user and its source id (or its content), so
   * importing the same file twice, or this product's own export of an import, adds nothing new.
   */
  async import(userId: string, itemsJson: string[]): Promise<{ chats: ChatWithDocument[]; skipped: number }> {
    requireUserId(userId);
    const prepared = itemsJson.map((json, index) => {
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch {
        throw new DomainError(
          ErrorKind.InvalidArgument,
          `Chat ${index + 1} of the import is not valid JSON.`,
        );
      }
      const item = readImportItem(value, index);
      const chatJson = JSON.stringify(item.chat);
      let document;
      try {
        document = this.chatsService.parse(chatJson);
      } catch (error) {
        if (error instanceof DomainError)
          throw new DomainError(error.kind, `Chat ${index + 1} of the import: ${error.message}`);
        throw error;
      }
      const title = this.chatsService.validTitle(typeof item.chat.title === 'string' ? item.chat.title : '');
      const tags = item.tagNames.slice(0, 1_000).map((name) => this.chatsService.validTag(name));
      const key = item.sourceId ?? createHash('sha256').update(chatJson).digest('hex');
      return { item, document, title, tags, key };
    });
    const imported: ChatWithDocument[] = [];
    let skipped = 0;
    for (const { item, document, title, tags, key } of prepared) {
      if (item.sourceId && isUuid(item.sourceId) && (await this.chats.findOwned(userId, item.sourceId))) {
        skipped++;
        continue;
      }
      const id = uuidFromName(`parley-import:${userId}:${key}`);
      if (await this.chats.findAny(id)) {
        skipped++;
        continue;
      }
      const folderId =
        item.folderId && isUuid(item.folderId) && (await this.folders.findOwned(userId, item.folderId))
          ? item.folderId
          : null;
      await this.chats.ensureTags(userId, tags);
      const row = await this.chats.create({
        id,
        userId,
        title,
        document,
        folderId,
        pinned: item.pinned,
        archived: item.archived,
        tags: [...new Set(tags.map((t) => t.id))],
        ...(item.createdAt ? { createdAt: item.createdAt } : {}),
        ...(item.updatedAt ? { updatedAt: item.updatedAt } : {}),
      });
      this.events.created(row);
      imported.push({ row, document: buildChatDocument(row, document.messages) });
    }
    return { chats: imported, skipped };
  }
}
