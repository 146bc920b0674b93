import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';

export interface FeedbackRow {
  id: string;
  userId: string;
  version: number;
  type: string;
  data: unknown;
  meta: unknown;
  snapshot: unknown;
  chatId: string | null;
  messageId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface FeedbackFields {
  type?: string;
  data?: object | null;
  meta?: object | null;
  snapshot?: object | null;
  chatId?: string | null;
  messageId?: string | null;
}

export type FeedbackOrder = 'updated_at' | 'created_at' | 'type' | 'user_id';

const COLUMN: Record<FeedbackOrder, 'updatedAt' | 'createdAt' | 'type' | 'userId'> = {
  updated_at: 'updatedAt',
  created_at: 'createdAt',
  type: 'type',
  user_id: 'userId',
};

/** Lists leave the snapshot (a whole chat) out. */
const WITHOUT_SNAPSHOT = {
  id: true,
  userId: true,
  version: true,
  type: true,
  data: true,
  meta: true,
  chatId: true,
  messageId: true,
  createdAt: true,
  updatedAt: true,
} as const;

const json = (value: object | null | undefined) =>
  value === undefined ? undefined : value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue);

const newestFirst = [{ updatedAt: 'desc' as const }, { id: 'desc' as const }];

/** Feedback rows in PostgreSQL. Scoping to an owner is the caller's (FeedbacksService's) business. */
@Injectable()
export class FeedbacksRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  find(id: string, userId?: string): Promise<FeedbackRow | null> {
    return this.prisma.feedback.findFirst({ where: { id, ...(userId ? { userId } : {}) } });
  }

  findForMessage(userId: string, chatId: string, messageId: string): Promise<FeedbackRow | null> {
    return this.prisma.feedback.findFirst({ where: { userId, chatId, messageId } });
  }

  create(id: string, userId: string, fields: FeedbackFields & { type: string }): Promise<FeedbackRow> {
    return this.prisma.feedback.create({
      data: {
        id,
        userId,
        type: fields.type,
        data: json(fields.data),
        meta: json(fields.meta),
        snapshot: json(fields.snapshot),
        chatId: fields.chatId ?? null,
        messageId: fields.messageId ?? null,
      },
    });
  }

  update(id: string, fields: FeedbackFields): Promise<FeedbackRow> {
    return this.prisma.feedback.update({
      where: { id },
      data: {
        type: fields.type,
        data: json(fields.data),
        meta: json(fields.meta),
        snapshot: json(fields.snapshot),
        chatId: fields.chatId,
        messageId: fields.messageId,
        updatedAt: new Date(),
      },
    });
  }

  async delete(id: string, userId?: string): Promise<boolean> {
    const { count } = await this.prisma.feedback.deleteMany({ where: { id, ...(userId ? { userId } : {}) } });
    return count > 0;
  }

  async deleteMany(userId?: string): Promise<number> {
    return (await this.prisma.feedback.deleteMany({ where: userId ? { userId } : {} })).count;
  }

  listOf(userId: string): Promise<FeedbackRow[]> {
    return this.prisma.feedback
      .findMany({ where: { userId }, select: WITHOUT_SNAPSHOT, orderBy: newestFirst })
      .then((rows) => rows.map((r) => ({ ...r, snapshot: null })));
  }

  async page(
    skip: number,
    take: number | undefined,
    order: FeedbackOrder,
    direction: 'asc' | 'desc',
  ): Promise<{ rows: FeedbackRow[]; total: number }> {
    const [rows, total] = await this.prisma.$transaction([
      this.prisma.feedback.findMany({
        select: WITHOUT_SNAPSHOT,
        orderBy: [{ [COLUMN[order]]: direction }, { id: direction }],
        skip,
        take,
      }),
      this.prisma.feedback.count(),
    ]);
    return { rows: rows.map((r) => ({ ...r, snapshot: null })), total };
  }

  /** Every row, newest first, read in batches so an export never holds the table in memory. */
  async *all(options: {
    batch: number;
    withSnapshot: boolean;
    oldestFirst?: boolean;
  }): AsyncGenerator<FeedbackRow> {
    const orderBy = options.oldestFirst
      ? [{ createdAt: 'asc' as const }, { id: 'asc' as const }]
      : newestFirst;
    let cursor: string | undefined;
    for (;;) {
      const rows: FeedbackRow[] = await this.prisma.feedback
        .findMany({
          ...(options.withSnapshot ? {} : { select: WITHOUT_SNAPSHOT }),
          orderBy,
          take: options.batch,
          ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        })
        .then((found) =>
          found.map((r: Omit<FeedbackRow, 'snapshot'> & { snapshot?: unknown }) => ({
            ...r,
            snapshot: r.snapshot ?? null,
          })),
        );
      yield* rows;
      if (rows.length < options.batch) return;
      cursor = rows[rows.length - 1]!.id;
    }
  }

  async config(): Promise<{ enableArenaModels: boolean; arenaModels: unknown } | null> {
    return this.prisma.evaluationConfig.findUnique({ where: { id: 'default' } });
  }

  async saveConfig(fields: { enableArenaModels: boolean; arenaModels: unknown[] }): Promise<void> {
    const data = {
      ...fields,
      arenaModels: fields.arenaModels as Prisma.InputJsonValue,
      updatedAt: new Date(),
    };
    await this.prisma.evaluationConfig.upsert({
      where: { id: 'default' },
      create: { id: 'default', ...data },
      update: data,
    });
  }
}
