import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { toAccessControl, type AccessControl } from '@parley/grpc';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../database/prisma.service';

export interface KnowledgeRow {
  id: string;
  userId: string;
  name: string;
  description: string;
  accessControl: AccessControl | null;
  meta: Record<string, unknown>;
  fileIds: string[];
  files: Array<{ fileId: string; addedAt: Date }>;
  createdAt: Date;
  updatedAt: Date;
}

export interface KnowledgeFields {
  name: string;
  description: string;
  accessControl: AccessControl | null;
  meta: Record<string, unknown>;
}

type Stored = Prisma.KnowledgeBaseGetPayload<{ include: { files: true } }>;

function toRow(row: Stored): KnowledgeRow {
  const files = [...row.files].sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime());
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    description: row.description,
    accessControl: toAccessControl(row.accessControl),
    meta: (row.meta ?? {}) as Record<string, unknown>,
    fileIds: files.map((f) => f.fileId),
    files: files.map((f) => ({ fileId: f.fileId, addedAt: f.addedAt })),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const json = (value: AccessControl | null) => (value === null ? Prisma.DbNull : (value as object));

/** Knowledge bases and their file memberships (the retrieval schema, through Prisma). */
@Injectable()
export class KnowledgeRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  async find(id: string): Promise<KnowledgeRow | null> {
    const row = await this.prisma.knowledgeBase.findUnique({ where: { id }, include: { files: true } });
    return row ? toRow(row) : null;
  }

  /**
   * Every knowledge base, newest first, in pages of `take` after the cursor; the caller filters by
   * access (a JSON rule over user and group ids does not index well, and bases are few per installation).
   */
  async page(cursor: { createdAt: Date; id: string } | null, take: number): Promise<KnowledgeRow[]> {
    const rows = await this.prisma.knowledgeBase.findMany({
      where: cursor
        ? {
            OR: [
              { createdAt: { lt: cursor.createdAt } },
              { createdAt: cursor.createdAt, id: { lt: cursor.id } },
            ],
          }
        : {},
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take,
      include: { files: true },
    });
    return rows.map(toRow);
  }

  async create(userId: string, fields: KnowledgeFields): Promise<KnowledgeRow> {
    const row = await this.prisma.knowledgeBase.create({
      data: {
        id: randomUUID(),
        userId,
        name: fields.name,
        description: fields.description,
        accessControl: json(fields.accessControl),
        meta: fields.meta as object,
      },
      include: { files: true },
    });
    return toRow(row);
  }

  async update(id: string, fields: KnowledgeFields): Promise<KnowledgeRow> {
    const row = await this.prisma.knowledgeBase.update({
      where: { id },
      data: {
        name: fields.name,
        description: fields.description,
        accessControl: json(fields.accessControl),
        meta: fields.meta as object,
        updatedAt: new Date(),
      },
      include: { files: true },
    });
    return toRow(row);
  }

  async delete(id: string): Promise<void> {
    await this.prisma.knowledgeBase.deleteMany({ where: { id } });
  }

  /** Adds the file (a no-op when it is in already); true when it was added. */
  async addFile(id: string, fileId: string, addedBy: string): Promise<boolean> {
    const result = await this.prisma.knowledgeFile.createMany({
      data: [{ knowledgeBaseId: id, fileId, addedBy }],
      skipDuplicates: true,
    });
    if (result.count) await this.touch(id);
    return result.count > 0;
  }

  async removeFile(id: string, fileId: string): Promise<boolean> {
    const result = await this.prisma.knowledgeFile.deleteMany({ where: { knowledgeBaseId: id, fileId } });
    if (result.count) await this.touch(id);
    return result.count > 0;
  }

  async reset(id: string): Promise<void> {
    await this.prisma.knowledgeFile.deleteMany({ where: { knowledgeBaseId: id } });
    await this.touch(id);
  }

  /** The bases holding the file (a deleted file leaves them; its indexing progress reaches their owners). */
  async basesOfFile(fileId: string): Promise<KnowledgeRow[]> {
    const rows = await this.prisma.knowledgeBase.findMany({
      where: { files: { some: { fileId } } },
      include: { files: true },
    });
    return rows.map(toRow);
  }

  async removeFileEverywhere(fileId: string): Promise<void> {
    await this.prisma.knowledgeFile.deleteMany({ where: { fileId } });
  }

  private async touch(id: string): Promise<void> {
    await this.prisma.knowledgeBase.updateMany({ where: { id }, data: { updatedAt: new Date() } });
  }
}
