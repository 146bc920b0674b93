import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { DomainError, ErrorKind } from '@parley/errors';
import { CHAT_CONFIG, ChatConfig } from '../chat.config';
import { isUuid, requireUserId } from '../common/ids';
import { FoldersRepository } from '../folders/folders.repository';
import { parseSearchText, tagId } from '../search/search-query';
import { buildChatDocument, ChatDocument, ParsedChat, parseChatDocument } from './chat-document';
import { ChatEvents } from './chat-events';
import { ChatRow, ChatsRepository, ChatSummaryRow, ListFilter } from './chats.repository';

export interface ChatWithDocument {
  row: ChatRow;
  document: ChatDocument;
}

export type ListScope = 'default' | 'pinned' | 'archived' | 'folder' | 'tag';

export interface TagView {
  id: string;
  name: string;
  userId: string;
  meta: unknown;
}

/** Most pinned chats a list without paging returns. */
const UNPAGED_LIMIT = 1_000;

export const noSuchChat = () =>
  new DomainError(ErrorKind.NotFound, 'No such chat.', { code: 'CHAT_NOT_FOUND' });

/** Chats as a whole: create, open, list, search, update, delete, pin, archive, folders, tags. */
/** A chat in a list: its summary and the names of its tags. */
export type ListedChat = ChatSummaryRow & { tagNames: string[] };

@Injectable()
export class ChatsService {
  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @Inject(ChatsRepository) private readonly chats: ChatsRepository,
    @Inject(FoldersRepository) private readonly folders: FoldersRepository,
    @Inject(ChatEvents) private readonly events: ChatEvents,
  ) {}

  parse(chatJson: string): ParsedChat {
    return parseChatDocument(chatJson, {
      maxBytes: this.config.CHAT_MAX_DOCUMENT_BYTES,
      maxMessages: this.config.CHAT_MAX_MESSAGES,
    });
  }
  /** How many chats a full page of list() and search() holds (the REST lists send it as X-Page-Size). */
  get pageSize(): number {
    return this.config.CHAT_PAGE_SIZE;
  }

  validTitle(raw: string | undefined, fallback = 'New Chat'): string {
    const title = (raw ?? '').trim() || fallback;
    if (title.length > this.config.CHAT_TITLE_MAX_LENGTH) {
      throw new DomainError(
        ErrorKind.InvalidArgument,
        `The title is longer than the limit of ${this.config.CHAT_TITLE_MAX_LENGTH} characters.`,
      );
    }
    return title;
  }

  async create(
    userId: string,
    input: { title: string; chatJson: string; folderId?: string },
  ): Promise<ChatWithDocument> {
    requireUserId(userId);
    const document = this.parse(input.chatJson);
    const title = this.validTitle(input.title || document.title);
    const folderId = input.folderId ? await this.ownFolder(userId, input.folderId) : null;
    const row = await this.chats.create({ id: randomUUID(), userId, title, document, folderId });
    this.events.created(row);
    return { row, document: buildChatDocument(row, document.messages) };
  }

  /** The chat if the caller owns it, or (admins, when allowed) anyone's; 404 otherwise. */
  async get(userId: string, chatId: string, role = 'user'): Promise<ChatWithDocument> {
    requireUserId(userId);
    let row = isUuid(chatId) ? await this.chats.findOwned(userId, chatId) : null;
    if (!row && role === 'admin' && this.config.ENABLE_ADMIN_CHAT_ACCESS && isUuid(chatId))
      row = await this.chats.findAny(chatId);
    if (!row) throw noSuchChat();
    return { row, document: buildChatDocument(row, await this.chats.messagesOf(row.id)) };
  }

  /** The caller's own chat row (no messages read), or 404. */
  async owned(userId: string, chatId: string): Promise<ChatRow> {
    requireUserId(userId);
    const row = isUuid(chatId) ? await this.chats.findOwned(userId, chatId) : null;
    if (!row) throw noSuchChat();
    return row;
  }

  async list(
    userId: string,
    page: number,
    options: {
      scope?: ListScope;
      includePinned?: boolean;
      includeFolders?: boolean;
      folderId?: string;
      tag?: string;
    } = {},
  ): Promise<ListedChat[]> {
    requireUserId(userId);
    const scope = options.scope ?? 'default';
    if (!Number.isInteger(page) || page < 0 || page > 100_000 || (page === 0 && scope !== 'pinned')) {
      throw new DomainError(ErrorKind.InvalidArgument, 'page must be a whole number from 1.');
    }
    let filter: ListFilter;
    switch (scope) {
      case 'pinned':
        filter = { pinned: true, archived: false };
        break;
      case 'archived':
        filter = { archived: true };
        break;
      case 'folder':
        filter = { folderIds: [(await this.ownFolderRow(userId, options.folderId ?? '')).id] };
        break;
      case 'tag':
        filter = { tag: tagId(options.tag ?? ''), archived: false };
        break;
      default:
        filter = {
          archived: false,
          ...(options.includePinned ? {} : { pinned: false }),
          ...(options.includeFolders ? {} : { folderIds: null }),
        };
    }
    const size = this.config.CHAT_PAGE_SIZE;
    const paging = page === 0 ? { skip: 0, take: UNPAGED_LIMIT } : { skip: (page - 1) * size, take: size };
    return this.withTagNames(userId, await this.chats.listSummaries(userId, filter, paging));
  }

  /**
   * The tag names of a page of summaries (the rows hold tag ids), in one query per page: the sidebar
   * shows them without asking for every chat's tags.
   */
  private async withTagNames(userId: string, rows: ChatSummaryRow[]): Promise<ListedChat[]> {
    const ids = [...new Set(rows.flatMap((row) => row.tags))];
    const names = new Map(
      ids.length ? (await this.chats.tagsByIds(userId, ids)).map((tag) => [tag.id, tag.name]) : [],
    );
    return rows.map((row) => ({ ...row, tagNames: row.tags.map((id) => names.get(id) ?? id) }));
  }

  /**
   * A user's chats, archived ones included: admins (when ENABLE_ADMIN_CHAT_ACCESS is on) anyone's, a
   * user only their own.
   */
  async listOfUser(
    caller: { userId: string; role: string },
    ownerId: string,
    page: number,
  ): Promise<ListedChat[]> {
    const { role } = caller;
    if (caller.userId !== ownerId && (role !== 'admin' || !this.config.ENABLE_ADMIN_CHAT_ACCESS))
      throw new DomainError(
        ErrorKind.PermissionDenied,
        role === 'admin'
          ? "Reading other users' chats is turned off (ENABLE_ADMIN_CHAT_ACCESS)."
          : 'This action needs an administrator.',
      );
    if (!Number.isInteger(page) || page < 1 || page > 100_000)
      throw new DomainError(ErrorKind.InvalidArgument, 'page must be a whole number from 1.');
    if (!isUuid(ownerId)) return [];
    const size = this.config.CHAT_PAGE_SIZE;
    return this.withTagNames(
      ownerId,
      await this.chats.listSummaries(ownerId, {}, { skip: (page - 1) * size, take: size }),
    );
  }

  async search(userId: string, text: string, page: number): Promise<ListedChat[]> {
    requireUserId(userId);
    if (!Number.isInteger(page) || page < 1 || page > 100_000)
      throw new DomainError(ErrorKind.InvalidArgument, 'page must be a whole number from 1.');
    if (text.length > 1_000)
      throw new DomainError(
        ErrorKind.InvalidArgument,
        'The search text is longer than the limit of 1000 characters.',
      );
    const size = this.config.CHAT_PAGE_SIZE;
    return this.withTagNames(
      userId,
      await this.chats.search(userId, parseSearchText(text), { skip: (page - 1) * size, take: size }),
    );
  }

  /**
   * Open WebUI's update: fields present in the JSON replace the stored ones (unknown top-level fields
   * are merged); a `history` replaces the tree, written as the difference to the stored rows.
   */
  async update(userId: string, chatId: string, chatJson: string): Promise<ChatWithDocument> {
    const row = await this.owned(userId, chatId);
    const incoming = this.parse(chatJson);
    const raw = JSON.parse(chatJson || '{}') as Record<string, unknown>;
    const fields: Parameters<ChatsRepository['update']>[1] = { touch: true };
    if (typeof raw.title === 'string') fields.title = this.validTitle(raw.title);
    if (Array.isArray(raw.models)) fields.models = incoming.models;
    if (raw.params !== undefined) fields.params = incoming.params;
    // Unknown top-level fields (a `tags` list in the document too) are kept as sent, as Open WebUI keeps
    // the whole document; the chat's tags themselves change through the tag routes (Open WebUI's meta).
    if (Object.keys(incoming.meta).length)
      fields.meta = { ...(row.meta as Record<string, unknown>), ...incoming.meta };
    let diff: Parameters<ChatsRepository['update']>[2];
    if (raw.history !== undefined) {
      const existing = new Map((await this.chats.messagesOf(row.id)).map((m) => [m.id, m]));
      const seen = new Set(incoming.messages.map((m) => m.id));
      diff = {
        insert: incoming.messages.filter((m) => !existing.has(m.id)),
        upsert: incoming.messages.filter(
          (m) => existing.has(m.id) && !isDeepStrictEqual(existing.get(m.id), m),
        ),
        remove: [...existing.keys()].filter((id) => !seen.has(id)),
        total: incoming.messages.length,
      };
      fields.currentMessageId = incoming.currentMessageId;
    }
    const updated = await this.chats.update(row.id, fields, diff);
    this.events.updated(updated, 'chat');
    return { row: updated, document: buildChatDocument(updated, await this.chats.messagesOf(row.id)) };
  }

  async delete(userId: string, chatId: string): Promise<void> {
    const row = await this.owned(userId, chatId);
    if (!(await this.chats.delete(userId, row.id))) throw noSuchChat();
    await this.chats.dropOrphanTags(userId, row.tags);
    this.events.deleted(row);
  }

  async deleteAll(userId: string): Promise<number> {
    requireUserId(userId);
    const count = await this.chats.deleteAll(userId);
    this.events.allDeleted(userId);
    return count;
  }

  async setPinned(userId: string, chatId: string, pinned?: boolean): Promise<ChatRow> {
    const row = await this.owned(userId, chatId);
    const updated = await this.chats.update(row.id, { pinned: pinned ?? !row.pinned, touch: true });
    this.events.updated(updated, 'pinned');
    return updated;
  }

  async setArchived(userId: string, chatId: string, archived?: boolean): Promise<ChatRow> {
    const row = await this.owned(userId, chatId);
    const updated = await this.chats.update(row.id, { archived: archived ?? !row.archived, touch: true });
    this.events.updated(updated, 'archived');
    return updated;
  }

  async archiveAll(userId: string, archived: boolean): Promise<number> {
    requireUserId(userId);
    const count = await this.chats.archiveAll(userId, archived);
    this.events.allUpdated(userId, 'archived');
    return count;
  }

  /** Open WebUI's move: a chat moved into a folder is no longer pinned. */
  async moveToFolder(userId: string, chatId: string, folderId: string): Promise<ChatRow> {
    const row = await this.owned(userId, chatId);
    const target = folderId ? await this.ownFolder(userId, folderId) : null;
    const updated = await this.chats.update(row.id, {
      folderId: target,
      ...(target ? { pinned: false } : {}),
      touch: true,
    });
    this.events.updated(updated, 'folder');
    return updated;
  }

  // --- tags ---

  async listTags(userId: string): Promise<TagView[]> {
    requireUserId(userId);
    return this.chats.tagsOfUser(userId);
  }

  async chatTags(userId: string, chatId: string): Promise<TagView[]> {
    const row = await this.owned(userId, chatId);
    return this.tagViews(userId, row.tags);
  }

  async addTag(userId: string, chatId: string, name: string): Promise<TagView[]> {
    const row = await this.owned(userId, chatId);
    const tag = this.validTag(name);
    if (row.tags.includes(tag.id)) return this.tagViews(userId, row.tags);
    if (row.tags.length >= this.config.CHAT_MAX_TAGS) {
      throw new DomainError(
        ErrorKind.PayloadTooLarge,
        `A chat may have at most ${this.config.CHAT_MAX_TAGS} tags.`,
      );
    }
    await this.chats.ensureTags(userId, [tag]);
    const updated = await this.chats.update(row.id, { tags: [...row.tags, tag.id], touch: true });
    this.events.updated(updated, 'tags');
    return this.tagViews(userId, updated.tags);
  }

  async removeTag(userId: string, chatId: string, name: string): Promise<TagView[]> {
    const row = await this.owned(userId, chatId);
    const id = tagId(name);
    if (!row.tags.includes(id)) return this.tagViews(userId, row.tags);
    const updated = await this.chats.update(row.id, { tags: row.tags.filter((t) => t !== id), touch: true });
    await this.chats.dropOrphanTags(userId, [id]);
    this.events.updated(updated, 'tags');
    return this.tagViews(userId, updated.tags);
  }

  validTag(name: string): { id: string; name: string } {
    const trimmed = name.trim();
    const id = tagId(trimmed);
    if (!id) throw new DomainError(ErrorKind.InvalidArgument, 'The tag name must not be empty.');
    if (id === 'none') throw new DomainError(ErrorKind.InvalidArgument, "Tag name cannot be 'None'");
    if (trimmed.length > this.config.CHAT_TAG_MAX_LENGTH) {
      throw new DomainError(
        ErrorKind.InvalidArgument,
        `A tag is longer than the limit of ${this.config.CHAT_TAG_MAX_LENGTH} characters.`,
      );
    }
    return { id, name: trimmed };
  }

  private async tagViews(userId: string, ids: string[]): Promise<TagView[]> {
    if (!ids.length) return [];
    const byId = new Map((await this.chats.tagsByIds(userId, ids)).map((t) => [t.id, t]));
    return ids.map((id) => byId.get(id) ?? { id, name: id, userId, meta: {} });
  }

  /** The id of the caller's folder, or 404. */
  async ownFolder(userId: string, folderId: string): Promise<string> {
    return (await this.ownFolderRow(userId, folderId)).id;
  }

  private async ownFolderRow(userId: string, folderId: string) {
    const folder = isUuid(folderId) ? await this.folders.findOwned(userId, folderId) : null;
    if (!folder) throw new DomainError(ErrorKind.NotFound, 'No such folder.');
    return folder;
  }
}
