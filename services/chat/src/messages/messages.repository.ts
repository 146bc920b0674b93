import { Inject, Injectable } from '@nestjs/common';
import type { ParsedMessage } from '../chats/chat-document';
import { toParsedMessage } from '../chats/chats.repository';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';

/**
 * Message rows. Every write touches only the rows it changes and, at most, the chat's small row
 * (counter, updated_at, current id): never the whole chat, so cost does not grow with its size.
 */
@Injectable()
export class MessagesRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  async find(chatId: string, id: string): Promise<ParsedMessage | null> {
    const row = await this.prisma.message.findUnique({ where: { chatId_id: { chatId, id } } });
    return row ? toParsedMessage(row) : null;
  }

  async childrenIds(chatId: string, parentId: string): Promise<string[]> {
    const rows = await this.prisma.message.findMany({
      where: { chatId, parentId },
      select: { id: true },
      orderBy: { seq: 'asc' },
    });
    return rows.map((r) => r.id);
  }

  /** The models of the other answers to the same question (an answer's siblings), each once. */
  async siblingModels(chatId: string, parentId: string | null, id: string): Promise<string[]> {
    const rows = await this.prisma.message.findMany({
      where: { chatId, parentId, id: { not: id }, role: 'assistant', model: { not: null } },
      select: { model: true },
      orderBy: { seq: 'asc' },
    });
    return [...new Set(rows.map((r) => r.model!))];
  }

  /**
   * Inserts the message unless one with its id exists (then nothing changes: a retried append), and
   * moves the chat's counter, updated_at and, unless kept, current id. Returns whether it inserted.
   */
  async insert(chatId: string, message: ParsedMessage, options: { setCurrent: boolean }): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.message.createMany({
        data: [
          {
            chatId,
            id: message.id,
            parentId: message.parentId,
            role: message.role,
            content: message.content,
            model: message.model,
            data: message.data as object,
            timestamp: BigInt(message.timestamp),
          },
        ],
        skipDuplicates: true,
      });
      if (count === 0) return false;
      await tx.chat.update({
        where: { id: chatId },
        data: {
          messageCount: { increment: 1 },
          updatedAt: new Date(),
          ...(options.setCurrent ? { currentMessageId: message.id } : {}),
        },
      });
      return true;
    });
  }

  /** Sets the content; a partial write is skipped once the message is done or failed. */
  async setContent(chatId: string, id: string, content: string, partial: boolean): Promise<void> {
    if (partial) {
      await this.prisma.$executeRaw`UPDATE chat.messages SET content = ${content}, updated_at = now()
        WHERE chat_id = ${chatId}::uuid AND id = ${id}
          AND (data -> 'done') IS DISTINCT FROM 'true'::jsonb AND NOT (data ? 'error')`;
    } else {
      await this.prisma.message.update({
        where: { chatId_id: { chatId, id } },
        data: { content, updatedAt: new Date() },
      });
    }
  }

  /** Merges fields into the message's data (and sets content when given). */
  async mergeData(
    chatId: string,
    id: string,
    fields: Record<string, unknown>,
    content?: string,
  ): Promise<void> {
    const patch = JSON.stringify(fields);
    if (content === undefined) {
      await this.prisma
        .$executeRaw`UPDATE chat.messages SET data = data || ${patch}::jsonb, updated_at = now()
        WHERE chat_id = ${chatId}::uuid AND id = ${id}`;
    } else {
      await this.prisma
        .$executeRaw`UPDATE chat.messages SET data = data || ${patch}::jsonb, content = ${content},
        updated_at = now() WHERE chat_id = ${chatId}::uuid AND id = ${id}`;
    }
  }

  /** The newest leaf below the message (itself when it has no children), following the newest child. */
  async newestLeafBelow(chatId: string, id: string): Promise<string> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>(Prisma.sql`
      WITH RECURSIVE walk(id, depth) AS (
        SELECT ${id}::text, 0
        UNION ALL
        SELECT (SELECT m.id FROM chat.messages m WHERE m.chat_id = ${chatId}::uuid AND m.parent_id = walk.id
                ORDER BY m.seq DESC LIMIT 1), depth + 1
        FROM walk WHERE walk.id IS NOT NULL AND depth < 100000
      )
      SELECT id FROM walk WHERE id IS NOT NULL ORDER BY depth DESC LIMIT 1`);
    return rows[0]?.id ?? id;
  }

  async newestRoot(chatId: string): Promise<string | null> {
    const row = await this.prisma.message.findFirst({
      where: { chatId, parentId: null },
      orderBy: { seq: 'desc' },
      select: { id: true },
    });
    return row?.id ?? null;
  }

  async setCurrent(chatId: string, currentId: string | null, touch: boolean): Promise<void> {
    await this.prisma.chat.update({
      where: { id: chatId },
      data: { currentMessageId: currentId, ...(touch ? { updatedAt: new Date() } : {}) },
    });
  }

  async touch(chatId: string): Promise<void> {
    await this.prisma.chat.update({ where: { id: chatId }, data: { updatedAt: new Date() } });
  }

  /** Deletes the message and its descendants; returns their ids. */
  async deleteSubtree(chatId: string, id: string): Promise<string[]> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ id: string }>>(Prisma.sql`
        WITH RECURSIVE sub(id) AS (
          SELECT id FROM chat.messages WHERE chat_id = ${chatId}::uuid AND id = ${id}
          UNION ALL
          SELECT m.id FROM chat.messages m JOIN sub ON m.parent_id = sub.id WHERE m.chat_id = ${chatId}::uuid
        )
        DELETE FROM chat.messages WHERE chat_id = ${chatId}::uuid AND id IN (SELECT id FROM sub) RETURNING id`);
      await tx.chat.update({
        where: { id: chatId },
        data: { messageCount: { decrement: rows.length }, updatedAt: new Date() },
      });
      return rows.map((r) => r.id);
    });
  }
}
