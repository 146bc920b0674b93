import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DomainError, ErrorKind, describeUnsafeInput } from '@parley/errors';
import { CHAT_CONFIG, type ChatConfig } from '../chat.config';
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
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
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
    // One request holds one copy for as long as it runs: bound it, and tell the client how to go on.
    const max = this.config.CHAT_IMPORT_MAX_CHATS;
    if (itemsJson.length > max)
      throw new DomainError(
        ErrorKind.PayloadTooLarge,
        `An import takes at most ${max} chats per request; this one has ${itemsJson.length}. ` +
          'Split the file and send the parts one after another (importing a part twice adds nothing).',
      );
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
      // Escaped NULs and lone surrogates only appear once parsed; PostgreSQL refuses both in text and JSON.
      const problem = describeUnsafeInput(value, { root: `chats.${index}` });
      if (problem) throw new DomainError(ErrorKind.InvalidArgument, `Invalid import: ${problem}.`);
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
      const row = await this.createOnce({
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
      if (!row) {
        // The same chat was imported by a concurrent request: as with a sequential re-import, skipped.
        skipped++;
        continue;
      }
      this.events.created(row);
      imported.push({ row, document: buildChatDocument(row, document.messages) });
    }
    return { chats: imported, skipped };
  }

  /** Creates the chat, or answers null when a concurrent import created the same id first. */
  private async createOnce(input: Parameters<ChatsRepository['create']>[0]) {
    try {
      return await this.chats.create(input);
    } catch (error) {
      if (
        (error as { code?: string }).code === 'P2002' &&
        (await this.chats.findOwned(input.userId, input.id))
      )
        return null;
      throw error;
    }
  }
}
