import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import type { ParsedChat, ParsedMessage } from './chat-document';

export interface ChatRow {
  id: string;
  userId: string;
  title: string;
  models: unknown;
  params: unknown;
  meta: unknown;
  currentMessageId: string | null;
  pinned: boolean;
  archived: boolean;
  folderId: string | null;
  shareId: string | null;
  tags: string[];
  messageCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ChatSummaryRow {
  id: string;
  title: string;
  pinned: boolean;
  archived: boolean;
  folderId: string | null;
  shareId: string | null;
  /** Tag ids (normalised names). */
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ListFilter {
  archived?: boolean;
  pinned?: boolean;
  /** null: only chats outside folders. */
  folderIds?: string[] | null;
  tag?: string;
}

export interface SearchFilter {
  /** A to_tsquery('simple', ...) expression made only of quoted letters and digits; '' for none. */
  tsquery: string;
  tags: string[];
  folderNames: string[];
  pinned?: boolean;
  archived?: boolean;
}

const SUMMARY = {
  id: true,
  title: true,
  pinned: true,
  archived: true,
  folderId: true,
  shareId: true,
  tags: true,
  createdAt: true,
  updatedAt: true,
} as const;

const CHAT_COLUMNS = {
  id: true,
  userId: true,
  title: true,
  models: true,
  params: true,
  meta: true,
  currentMessageId: true,
  pinned: true,
  archived: true,
  folderId: true,
  shareId: true,
  tags: true,
  messageCount: true,
  createdAt: true,
  updatedAt: true,
} as const;

type Tx = Prisma.TransactionClient;

export function toParsedMessage(row: {
  id: string;
  parentId: string | null;
  role: string;
  content: string;
  model: string | null;
  timestamp: bigint;
  data: unknown;
}): ParsedMessage {
  return {
    id: row.id,
    parentId: row.parentId,
    role: row.role,
    content: row.content,
    model: row.model,
    timestamp: Number(row.timestamp),
    data: (row.data ?? {}) as Record<string, unknown>,
  };
}

function messageRows(chatId: string, messages: ParsedMessage[]) {
  return messages.map((m) => ({
    chatId,
    id: m.id,
    parentId: m.parentId,
    role: m.role,
    content: m.content,
    model: m.model,
    data: m.data as object,
    timestamp: BigInt(m.timestamp),
  }));
}

/** Chats, their message rows and tags in PostgreSQL. Every read is scoped to the owner. */
@Injectable()
export class ChatsRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  async create(input: {
    id: string;
    userId: string;
    title: string;
    document: ParsedChat;
    folderId?: string | null;
    pinned?: boolean;
    archived?: boolean;
    tags?: string[];
    createdAt?: Date;
    updatedAt?: Date;
  }): Promise<ChatRow> {
    const { document } = input;
    return this.prisma.$transaction(async (tx) => {
      const chat = await tx.chat.create({
        data: {
          id: input.id,
          userId: input.userId,
          title: input.title,
          models: document.models as object,
          params: document.params as object,
          meta: document.meta as object,
          currentMessageId: document.currentMessageId,
          folderId: input.folderId ?? null,
          pinned: input.pinned ?? false,
          archived: input.archived ?? false,
          tags: input.tags ?? [],
          messageCount: document.messages.length,
          ...(input.createdAt ? { createdAt: input.createdAt } : {}),
          ...(input.updatedAt ? { updatedAt: input.updatedAt } : {}),
        },
        select: CHAT_COLUMNS,
      });
      if (document.messages.length) {
        await tx.message.createMany({ data: messageRows(input.id, document.messages) });
      }
      return chat;
    });
  }

  /** The chat if it belongs to the user; null otherwise (the caller answers 404 either way). */
  findOwned(userId: string, chatId: string): Promise<ChatRow | null> {
    return this.prisma.chat.findFirst({ where: { id: chatId, userId }, select: CHAT_COLUMNS });
  }

  /** Any user's chat: only for the admin read path. */
  findAny(chatId: string): Promise<ChatRow | null> {
    return this.prisma.chat.findUnique({ where: { id: chatId }, select: CHAT_COLUMNS });
  }

  async messagesOf(chatId: string): Promise<ParsedMessage[]> {
    const rows = await this.prisma.message.findMany({ where: { chatId }, orderBy: { seq: 'asc' } });
    return rows.map(toParsedMessage);
  }

  /** Messages of several chats in one query, for export. */
  async messagesOfMany(chatIds: string[]): Promise<Map<string, ParsedMessage[]>> {
    const rows = await this.prisma.message.findMany({
      where: { chatId: { in: chatIds } },
      orderBy: { seq: 'asc' },
    });
    const byChat = new Map<string, ParsedMessage[]>(chatIds.map((id) => [id, []]));
    for (const row of rows) byChat.get(row.chatId)!.push(toParsedMessage(row));
    return byChat;
  }

  /** Newest first; reads no message bodies. */
  listSummaries(
    userId: string,
    filter: ListFilter,
    paging: { skip: number; take: number },
  ): Promise<ChatSummaryRow[]> {
    return this.prisma.chat.findMany({
      where: {
        userId,
        ...(filter.archived === undefined ? {} : { archived: filter.archived }),
        ...(filter.pinned === undefined ? {} : { pinned: filter.pinned }),
        ...(filter.folderIds === undefined
          ? {}
          : filter.folderIds === null
            ? { folderId: null }
            : { folderId: { in: filter.folderIds } }),
        ...(filter.tag ? { tags: { has: filter.tag } } : {}),
      },
      select: SUMMARY,
      orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      skip: paging.skip,
      take: paging.take,
    });
  }

  /** PostgreSQL full-text search over titles and message text, with the structured filters. */
  search(userId: string, filter: SearchFilter, paging: { skip: number; take: number }) {
    const conditions: Prisma.Sql[] = [Prisma.sql`c.user_id = ${userId}::uuid`];
    conditions.push(Prisma.sql`c.archived = ${filter.archived ?? false}`);
    if (filter.pinned !== undefined) conditions.push(Prisma.sql`c.pinned = ${filter.pinned}`);
    if (filter.tags.length) conditions.push(Prisma.sql`c.tags @> ${filter.tags}::text[]`);
    if (filter.folderNames.length) {
      conditions.push(Prisma.sql`c.folder_id IN (SELECT f.id FROM chat.folders f WHERE f.user_id = ${userId}::uuid
        AND lower(replace(f.name, ' ', '_')) = ANY(${filter.folderNames}::text[]))`);
    }
    if (filter.tsquery) {
      conditions.push(Prisma.sql`(c.search @@ to_tsquery('simple', ${filter.tsquery})
        OR EXISTS (SELECT 1 FROM chat.messages m WHERE m.chat_id = c.id AND m.search @@ to_tsquery('simple', ${filter.tsquery})))`);
    }
    return this.prisma.$queryRaw<ChatSummaryRow[]>(Prisma.sql`SELECT c.id::text AS id, c.title, c.pinned,
        c.archived, c.folder_id::text AS "folderId", c.share_id AS "shareId", c.tags,
        c.created_at AS "createdAt", c.updated_at AS "updatedAt"
      FROM chat.chats c WHERE ${Prisma.join(conditions, ' AND ')}
      ORDER BY c.updated_at DESC, c.id DESC LIMIT ${paging.take} OFFSET ${paging.skip}`);
  }

  /** Replaces the columns given; with `messages`, reconciles the rows to exactly that set. */
  async update(
    chatId: string,
    fields: {
      title?: string;
      models?: unknown[];
      params?: Record<string, unknown>;
      meta?: Record<string, unknown>;
      currentMessageId?: string | null;
      pinned?: boolean;
      archived?: boolean;
      folderId?: string | null;
      shareId?: string | null;
      tags?: string[];
      touch?: boolean;
    },
    messages?: { upsert: ParsedMessage[]; insert: ParsedMessage[]; remove: string[]; total: number },
  ): Promise<ChatRow> {
    return this.prisma.$transaction(async (tx) => {
      if (messages) {
        if (messages.remove.length)
          await tx.message.deleteMany({ where: { chatId, id: { in: messages.remove } } });
        for (const m of messages.upsert) {
          await tx.message.update({
            where: { chatId_id: { chatId, id: m.id } },
            data: {
              parentId: m.parentId,
              role: m.role,
              content: m.content,
              model: m.model,
              data: m.data as object,
              timestamp: BigInt(m.timestamp),
              updatedAt: new Date(),
            },
          });
        }
        if (messages.insert.length)
          await tx.message.createMany({ data: messageRows(chatId, messages.insert) });
      }
      const { touch, models, params, meta, ...rest } = fields;
      return tx.chat.update({
        where: { id: chatId },
        data: {
          ...rest,
          ...(models ? { models: models as object } : {}),
          ...(params ? { params: params as object } : {}),
          ...(meta ? { meta: meta as object } : {}),
          ...(messages ? { messageCount: messages.total } : {}),
          ...(touch ? { updatedAt: new Date() } : {}),
        },
        select: CHAT_COLUMNS,
      });
    });
  }

  async delete(userId: string, chatId: string): Promise<boolean> {
    const { count } = await this.prisma.chat.deleteMany({ where: { id: chatId, userId } });
    return count > 0;
  }

  async deleteAll(userId: string): Promise<number> {
    const { count } = await this.prisma.chat.deleteMany({ where: { userId } });
    await this.prisma.tag.deleteMany({ where: { userId } });
    return count;
  }

  async archiveAll(userId: string, archived: boolean): Promise<number> {
    const { count } = await this.prisma.chat.updateMany({
      where: { userId, archived: !archived },
      data: { archived, updatedAt: new Date() },
    });
    return count;
  }

  /** Chats (id, user) in the given folders, for events before a folder delete. */
  chatsInFolders(userId: string, folderIds: string[]) {
    return this.prisma.chat.findMany({
      where: { userId, folderId: { in: folderIds } },
      select: CHAT_COLUMNS,
    });
  }

  async deleteChatsInFolders(userId: string, folderIds: string[]): Promise<number> {
    const { count } = await this.prisma.chat.deleteMany({ where: { userId, folderId: { in: folderIds } } });
    return count;
  }

  /** Export: the user's chats in creation order, a batch at a time after the cursor. */
  exportBatch(userId: string, after: { createdAt: Date; id: string } | null, take: number) {
    return this.prisma.chat.findMany({
      where: {
        userId,
        ...(after
          ? {
              OR: [
                { createdAt: { gt: after.createdAt } },
                { createdAt: after.createdAt, id: { gt: after.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take,
      select: CHAT_COLUMNS,
    });
  }

  // --- tags ---

  tagsOfUser(userId: string) {
    return this.prisma.tag.findMany({ where: { userId }, orderBy: { name: 'asc' } });
  }

  tagsByIds(userId: string, ids: string[]) {
    return this.prisma.tag.findMany({ where: { userId, id: { in: ids } } });
  }

  async ensureTags(userId: string, tags: Array<{ id: string; name: string }>): Promise<void> {
    if (!tags.length) return;
    await this.prisma.tag.createMany({
      data: tags.map((t) => ({ id: t.id, name: t.name, userId })),
      skipDuplicates: true,
    });
  }

  /** Removes the user's tag rows that no chat of theirs carries any more. */
  async dropOrphanTags(userId: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.prisma.$executeRaw`DELETE FROM chat.tags t WHERE t.user_id = ${userId}::uuid
      AND t.id = ANY(${ids}::text[])
      AND NOT EXISTS (SELECT 1 FROM chat.chats c WHERE c.user_id = ${userId}::uuid AND c.tags @> ARRAY[t.id])`;
  }

  // --- shares ---

  findShare(shareId: string) {
    return this.prisma.sharedChat.findUnique({ where: { id: shareId } });
  }

  async saveShare(input: {
    id: string;
    chatId: string;
    userId: string;
    title: string;
    document: object;
  }): Promise<ChatRow> {
    return this.prisma.$transaction(async (tx: Tx) => {
      await tx.sharedChat.upsert({
        where: { chatId: input.chatId },
        create: input,
        update: { title: input.title, document: input.document, updatedAt: new Date() },
      });
      const share = await tx.sharedChat.findUniqueOrThrow({ where: { chatId: input.chatId } });
      return tx.chat.update({
        where: { id: input.chatId },
        data: { shareId: share.id },
        select: CHAT_COLUMNS,
      });
    });
  }

  async deleteShare(chatId: string): Promise<ChatRow> {
    return this.prisma.$transaction(async (tx: Tx) => {
      await tx.sharedChat.deleteMany({ where: { chatId } });
      return tx.chat.update({ where: { id: chatId }, data: { shareId: null }, select: CHAT_COLUMNS });
    });
  }
}
