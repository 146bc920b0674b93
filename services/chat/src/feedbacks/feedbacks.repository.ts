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

/** A row as the export sends it: data, meta and snapshot as JSON text (null when empty). */
export interface FeedbackText {
  id: string;
  userId: string;
  version: number;
  type: string;
  dataJson: string | null;
  metaJson: string | null;
  snapshotJson: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RatingRow {
  id: string;
  createdAt: Date;
  rating: string;
  modelId: string;
  siblingModelIds: unknown;
  tags: unknown;
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
    take: number,
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

  /**
   * Every row with its snapshot, newest first, JSON as PostgreSQL's text (never parsed here), read in
   * batches by keyset so an export never holds the table in memory.
   */
  async *exportRows(batch: number): AsyncGenerator<FeedbackText> {
    let after: { updatedAt: Date; id: string } | undefined;
    for (;;) {
      const rows = await this.prisma.$queryRaw<FeedbackText[]>(Prisma.sql`
        SELECT id::text AS id, user_id::text AS "userId", version, type, data::text AS "dataJson",
          meta::text AS "metaJson", snapshot::text AS "snapshotJson", created_at AS "createdAt",
          updated_at AS "updatedAt"
        FROM chat.feedbacks
        ${after ? Prisma.sql`WHERE (updated_at, id) < (${after.updatedAt}, ${after.id}::uuid)` : Prisma.empty}
        ORDER BY updated_at DESC, id DESC LIMIT ${batch}`);
      yield* rows;
      if (rows.length < batch) return;
      after = rows[rows.length - 1]!;
    }
  }

  /**
   * The fields the leaderboard reads, of the rows that are head-to-head ratings (rating 1 or -1 on a
   * named model), oldest first, in batches by keyset.
   */
  async *ratings(batch: number): AsyncGenerator<RatingRow> {
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const rows = await this.prisma.$queryRaw<RatingRow[]>(Prisma.sql`
        SELECT id::text AS id, created_at AS "createdAt", data->>'rating' AS rating,
          data->>'model_id' AS "modelId", data->'sibling_model_ids' AS "siblingModelIds",
          COALESCE(data->'tags', meta->'tags') AS tags
        FROM chat.feedbacks
        WHERE data->>'model_id' IS NOT NULL AND data->>'rating' IN ('1', '-1')
        ${after ? Prisma.sql`AND (created_at, id) > (${after.createdAt}, ${after.id}::uuid)` : Prisma.empty}
        ORDER BY created_at, id LIMIT ${batch}`);
      yield* rows;
      if (rows.length < batch) return;
      after = rows[rows.length - 1]!;
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
