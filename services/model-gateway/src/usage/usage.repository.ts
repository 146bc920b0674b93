import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { LOGGER, Logger } from '@parley/logging';
import { EVENTS, NatsClient } from '@parley/nats';
import { CachedTable } from '@parley/nats';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import type { UsageCounts, UsageSink } from './usage-accumulator';

export type LimitSubject = 'user' | 'group';

export interface UsageLimitRow {
  subject: LimitSubject;
  subjectId: string;
  requestsPerMinute: number | null;
  tokensPerDay: number | null;
  updatedAt: Date;
}

export interface UsageFilter {
  userId?: string;
  modelId?: string;
  /** YYYY-MM-DD, inclusive. */
  fromDay?: string;
  toDay?: string;
}

export interface UsageRowView {
  userId: string;
  modelId: string;
  day: string;
  promptTokens: number;
  completionTokens: number;
  requests: number;
  estimatedRequests: number;
}

/** 7 parameters a row: well below PostgreSQL's 65,535 per statement. */
const ROWS_PER_STATEMENT = 5_000;

const dayDate = (day: string) => new Date(`${day}T00:00:00Z`);

type LimitDbRow = Awaited<ReturnType<PrismaService['usageLimit']['findFirstOrThrow']>>;
const toLimit = (r: LimitDbRow): UsageLimitRow => ({
  subject: r.subjectType as LimitSubject,
  subjectId: r.subjectId,
  requestsPerMinute: r.requestsPerMinute,
  tokensPerDay: r.tokensPerDay === null ? null : Number(r.tokensPerDay),
  updatedAt: r.updatedAt,
});

/** usage_daily (tokens per user, model and day) and usage_limits (kept in memory, see CachedTable). */
@Injectable()
export class UsageRepository implements OnModuleInit, UsageSink {
  private readonly limits: CachedTable<UsageLimitRow[]>;

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(NatsClient) nats: NatsClient,
    @Inject(MODEL_GATEWAY_CONFIG) config: ModelGatewayConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.limits = new CachedTable(
      async () =>
        (
          await this.prisma.usageLimit.findMany({ orderBy: [{ subjectType: 'asc' }, { subjectId: 'asc' }] })
        ).map(toLimit),
      config.CONNECTIONS_CACHE_MS,
      nats,
      EVENTS.usageLimitsChanged,
      logger,
    );
  }

  onModuleInit(): void {
    this.limits.listen();
  }

  /**
   * Adds a batch of sums (one per user, day and model, at most one row each) in one atomic statement,
   * safe from any copy: each row's counts are added to what is there.
   */
  async addMany(rows: UsageCounts[]): Promise<void> {
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const values = Prisma.join(
        rows
          .slice(start, start + ROWS_PER_STATEMENT)
          .map(
            (r) =>
              Prisma.sql`(${r.userId}, ${r.day}::date, ${r.modelId}, ${r.promptTokens}, ${r.completionTokens}, ${r.requests}, ${r.estimatedRequests}, now())`,
          ),
      );
      await this.prisma.$executeRaw`
        INSERT INTO "model_gateway"."usage_daily"
          ("user_id", "day", "model_id", "prompt_tokens", "completion_tokens", "requests", "estimated_requests", "updated_at")
        VALUES ${values}
        ON CONFLICT ("user_id", "day", "model_id") DO UPDATE SET
          "prompt_tokens" = "usage_daily"."prompt_tokens" + EXCLUDED."prompt_tokens",
          "completion_tokens" = "usage_daily"."completion_tokens" + EXCLUDED."completion_tokens",
          "requests" = "usage_daily"."requests" + EXCLUDED."requests",
          "estimated_requests" = "usage_daily"."estimated_requests" + EXCLUDED."estimated_requests",
          "updated_at" = now()`;
    }
  }

  /** A user's tokens (prompt and completion) on one day, over every model. */
  async tokensOn(userId: string, day: string): Promise<number> {
    const sum = await this.prisma.usageDaily.aggregate({
      where: { userId, day: dayDate(day) },
      _sum: { promptTokens: true, completionTokens: true },
    });
    return Number(sum._sum.promptTokens ?? 0n) + Number(sum._sum.completionTokens ?? 0n);
  }

  async list(
    filter: UsageFilter,
    skip: number,
    take: number,
  ): Promise<{
    rows: UsageRowView[];
    total: number;
    promptTokens: number;
    completionTokens: number;
    requests: number;
  }> {
    const where: Prisma.UsageDailyWhereInput = {
      ...(filter.userId ? { userId: filter.userId } : {}),
      ...(filter.modelId ? { modelId: filter.modelId } : {}),
      ...(filter.fromDay || filter.toDay
        ? {
            day: {
              ...(filter.fromDay ? { gte: dayDate(filter.fromDay) } : {}),
              ...(filter.toDay ? { lte: dayDate(filter.toDay) } : {}),
            },
          }
        : {}),
    };
    const [rows, total, sums] = await Promise.all([
      this.prisma.usageDaily.findMany({
        where,
        orderBy: [{ day: 'desc' }, { userId: 'asc' }, { modelId: 'asc' }],
        skip,
        take,
      }),
      this.prisma.usageDaily.count({ where }),
      this.prisma.usageDaily.aggregate({
        where,
        _sum: { promptTokens: true, completionTokens: true, requests: true },
      }),
    ]);
    return {
      rows: rows.map((r) => ({
        userId: r.userId,
        modelId: r.modelId,
        day: r.day.toISOString().slice(0, 10),
        promptTokens: Number(r.promptTokens),
        completionTokens: Number(r.completionTokens),
        requests: r.requests,
        estimatedRequests: r.estimatedRequests,
      })),
      total,
      promptTokens: Number(sums._sum.promptTokens ?? 0n),
      completionTokens: Number(sums._sum.completionTokens ?? 0n),
      requests: sums._sum.requests ?? 0,
    };
  }

  /** Every limit (a small table, read from memory: admission runs before every completion). */
  async allLimits(): Promise<UsageLimitRow[]> {
    return this.limits.get();
  }

  /** The limits that can apply to one user: their own and their groups'. */
  async limitsFor(userId: string, groupIds: string[]): Promise<UsageLimitRow[]> {
    const groups = new Set(groupIds);
    return (await this.limits.get()).filter((row) =>
      row.subject === 'user' ? row.subjectId === userId : groups.has(row.subjectId),
    );
  }

  async setLimit(
    subject: LimitSubject,
    subjectId: string,
    requestsPerMinute: number | null,
    tokensPerDay: number | null,
  ): Promise<UsageLimitRow | undefined> {
    const key = { subjectType_subjectId: { subjectType: subject, subjectId } };
    if (requestsPerMinute === null && tokensPerDay === null) {
      await this.prisma.usageLimit.deleteMany({ where: { subjectType: subject, subjectId } });
      this.limits.changed();
      return undefined;
    }
    const data = {
      requestsPerMinute,
      tokensPerDay: tokensPerDay === null ? null : BigInt(tokensPerDay),
      updatedAt: new Date(),
    };
    const row = await this.prisma.usageLimit.upsert({
      where: key,
      create: { subjectType: subject, subjectId, ...data },
      update: data,
    });
    this.limits.changed();
    return toLimit(row);
  }
}
