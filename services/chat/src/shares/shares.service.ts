import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, ErrorKind } from '@parley/errors';
import { buildChatDocument, ChatDocument } from '../chats/chat-document';
import { ChatEvents } from '../chats/chat-events';
import { ChatRow, ChatsRepository } from '../chats/chats.repository';
import { ChatsService, ChatWithDocument } from '../chats/chats.service';
import { requireUserId } from '../common/ids';

/**
 * Share links and clones. A share is a snapshot taken when the chat is (re)shared: later edits do not
 * leak into it, and it shows nothing but itself.
 */
@Injectable()
export class SharesService {
  constructor(
    @Inject(ChatsService) private readonly chatsService: ChatsService,
    @Inject(ChatsRepository) private readonly chats: ChatsRepository,
    @Inject(ChatEvents) private readonly events: ChatEvents,
  ) {}

  /** Shares the chat, or takes a new snapshot when it is shared already (Open WebUI's behaviour). */
  async share(userId: string, chatId: string): Promise<ChatWithDocument> {
    const { row, document } = await this.chatsService.get(userId, chatId);
    if (row.userId !== userId)
      throw new DomainError(ErrorKind.NotFound, 'No such chat.', { code: 'CHAT_NOT_FOUND' });
    const updated = await this.chats.saveShare({
      id: randomUUID(),
      chatId: row.id,
      userId,
      title: row.title,
      document: document as object,
    });
    this.events.updated(updated, 'share');
    return { row: updated, document };
  }

  async unshare(userId: string, chatId: string): Promise<boolean> {
    const row = await this.chatsService.owned(userId, chatId);
    if (!row.shareId) return false;
    const updated = await this.chats.deleteShare(row.id);
    this.events.updated(updated, 'share');
    return true;
  }

  /** The snapshot behind a share link, for any signed-in user. */
  async getShared(userId: string, shareId: string): Promise<{ row: ChatRow; document: ChatDocument }> {
    requireUserId(userId);
    const share = shareId.length <= 100 ? await this.chats.findShare(shareId) : null;
    if (!share) throw new DomainError(ErrorKind.NotFound, 'No such shared chat.');
    const document = share.document as unknown as ChatDocument;
    return {
      row: {
        id: share.id,
        userId: share.userId,
        title: share.title,
        models: document.models ?? [],
        params: document.params ?? {},
        meta: {},
        currentMessageId: document.history?.currentId ?? null,
        pinned: false,
        archived: false,
        folderId: null,
        shareId: share.id,
        tags: [],
        messageCount: Object.keys(document.history?.messages ?? {}).length,
        createdAt: share.createdAt,
        updatedAt: share.updatedAt,
      },
      document,
    };
  }

  /** A copy of the caller's chat that remembers where it came from (Open WebUI's clone). */
  async clone(userId: string, chatId: string, title: string): Promise<ChatWithDocument> {
    const { row, document } = await this.chatsService.get(userId, chatId);
    if (row.userId !== userId)
      throw new DomainError(ErrorKind.NotFound, 'No such chat.', { code: 'CHAT_NOT_FOUND' });
    return this.copy(userId, row, document, title || `Clone of ${row.title}`, true);
  }

  async cloneShared(userId: string, shareId: string): Promise<ChatWithDocument> {
    const { row, document } = await this.getShared(userId, shareId);
    return this.copy(userId, row, document, `Clone of ${row.title}`, false);
  }

  private async copy(
    userId: string,
    source: ChatRow,
    document: ChatDocument,
    rawTitle: string,
    keepPlace: boolean,
  ): Promise<ChatWithDocument> {
    const title = this.chatsService.validTitle(rawTitle);
    const parsed = this.chatsService.parse(
      JSON.stringify({
        ...document,
        title,
        originalChatId: source.id,
        branchPointMessageId: document.history?.currentId ?? null,
      }),
    );
    const row = await this.chats.create({
      id: randomUUID(),
      userId,
      title,
      document: parsed,
      ...(keepPlace ? { folderId: source.folderId, pinned: source.pinned, tags: source.tags } : {}),
    });
    this.events.created(row);
    return { row, document: buildChatDocument(row, parsed.messages) };
  }
}
