import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { PrismaService } from '../database/prisma.service';
import type { File as FileRow, Prisma } from '../generated/prisma/client';

export type { FileRow };
export type FileStatusText = 'pending' | 'completed' | 'failed';

export interface NewFile {
  id: string;
  userId: string;
  filename: string;
  contentType: string;
  sizeBytes: bigint;
  sha256: string;
  storageKey: string;
  status: FileStatusText | null;
  meta: Record<string, unknown>;
}

/** The files table and the per-user usage, in PostgreSQL. */
@Injectable()
export class FilesRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  /**
   * Inserts the row and adds its bytes to the owner's usage in one transaction; with a quota, the usage
   * update only happens when it stays within it (checked in the same statement, so two uploads racing
   * cannot both pass).
   */
  async insert(file: NewFile, quotaBytes: bigint | undefined): Promise<FileRow> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`
        INSERT INTO "files"."user_usage" ("user_id", "bytes", "file_count") VALUES (${file.userId}::uuid, 0, 0)
        ON CONFLICT ("user_id") DO NOTHING`;
      const updated = await tx.$executeRaw`
        UPDATE "files"."user_usage" SET "bytes" = "bytes" + ${file.sizeBytes}, "file_count" = "file_count" + 1
        WHERE "user_id" = ${file.userId}::uuid
          AND (${quotaBytes ?? null}::bigint IS NULL OR "bytes" + ${file.sizeBytes} <= ${quotaBytes ?? null}::bigint)`;
      if (updated === 0) throw quotaExceeded(quotaBytes!);
      return tx.file.create({ data: { ...file, meta: file.meta as Prisma.InputJsonObject } });
    });
  }

  async usageOf(userId: string): Promise<bigint> {
    const usage = await this.prisma.userUsage.findUnique({ where: { userId } });
    return usage?.bytes ?? 0n;
  }

  find(id: string): Promise<FileRow | null> {
    return this.prisma.file.findUnique({ where: { id } });
  }

  /** Newest first; `after` is the last row of the previous page. */
  listOf(userId: string, limit: number, after?: { createdAt: Date; id: string }): Promise<FileRow[]> {
    return this.prisma.file.findMany({
      where: {
        userId,
        ...(after
          ? {
              OR: [
                { createdAt: { lt: after.createdAt } },
                { createdAt: after.createdAt, id: { lt: after.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }

  /** Only a pending file changes: a late retry never overwrites a later edit or deletion. */
  async finishExtraction(
    id: string,
    result:
      | { status: 'completed'; content: string; pageCount: number | null }
      | { status: 'failed'; error: string },
  ): Promise<FileRow | null> {
    const data =
      result.status === 'completed'
        ? { status: 'completed', content: result.content, pageCount: result.pageCount, error: null }
        : { status: 'failed', error: result.error };
    const { count } = await this.prisma.file.updateMany({ where: { id, status: 'pending' }, data });
    return count ? this.find(id) : null;
  }

  updateContent(id: string, content: string): Promise<FileRow> {
    return this.prisma.file.update({ where: { id }, data: { content, status: 'completed', error: null } });
  }

  /** Deletes the rows and gives their bytes back to their owners' usage; returns what was deleted. */
  async delete(where: Prisma.FileWhereInput): Promise<FileRow[]> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.file.findMany({ where });
      if (!rows.length) return rows;
      await tx.file.deleteMany({ where: { id: { in: rows.map((row) => row.id) } } });
      const perUser = new Map<string, { bytes: bigint; count: number }>();
      for (const row of rows) {
        const entry = perUser.get(row.userId) ?? { bytes: 0n, count: 0 };
        entry.bytes += row.sizeBytes;
        entry.count += 1;
        perUser.set(row.userId, entry);
      }
      for (const [userId, { bytes, count }] of perUser)
        await tx.userUsage.updateMany({
          where: { userId },
          data: { bytes: { decrement: bytes }, fileCount: { decrement: count } },
        });
      return rows;
    });
  }

  /** Which of these storage keys still have a row. */
  async existingKeys(keys: string[]): Promise<Set<string>> {
    const rows = await this.prisma.file.findMany({
      where: { storageKey: { in: keys } },
      select: { storageKey: true },
    });
    return new Set(rows.map((row) => row.storageKey));
  }

  /** Runs fn only if no other copy holds the named lock right now (a transaction-scoped advisory lock). */
  async whileLocked<T>(lock: string, fn: () => Promise<T>, timeoutMs: number): Promise<T | undefined> {
    return this.prisma.$transaction(
      async (tx) => {
        const [row] = await tx.$queryRaw<Array<{ locked: boolean }>>`
          SELECT pg_try_advisory_xact_lock(hashtext(${lock})) AS locked`;
        return row?.locked ? fn() : undefined;
      },
      { timeout: timeoutMs, maxWait: 5_000 },
    );
  }
}

export function quotaExceeded(quotaBytes: bigint): DomainError {
  return new DomainError(
    ErrorKind.PayloadTooLarge,
    `Your storage quota of ${formatMb(quotaBytes)} is full; delete some files first.`,
    { code: 'QUOTA_EXCEEDED' },
  );
}

export function formatMb(bytes: bigint): string {
  return `${Number(bytes) / (1024 * 1024)} MB`;
}
