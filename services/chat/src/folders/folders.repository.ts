import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';

export interface FolderRow {
  id: string;
  userId: string;
  parentId: string | null;
  name: string;
  meta: unknown;
  data: unknown;
  isExpanded: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** Folders in PostgreSQL, always scoped to their owner. */
@Injectable()
export class FoldersRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  findOwned(userId: string, id: string): Promise<FolderRow | null> {
    return this.prisma.folder.findFirst({ where: { id, userId } });
  }

  list(userId: string): Promise<FolderRow[]> {
    return this.prisma.folder.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  /** A sibling with the same name, compared case-insensitively. */
  findSibling(userId: string, parentId: string | null, name: string): Promise<FolderRow | null> {
    return this.prisma.folder.findFirst({
      where: { userId, parentId, name: { equals: name, mode: 'insensitive' } },
    });
  }

  create(row: Omit<FolderRow, 'createdAt' | 'updatedAt'>): Promise<FolderRow> {
    return this.prisma.folder.create({
      data: { ...row, meta: row.meta as object, data: row.data as object },
    });
  }

  update(
    id: string,
    fields: { name?: string; parentId?: string | null; isExpanded?: boolean; meta?: object; data?: object },
  ): Promise<FolderRow> {
    return this.prisma.folder.update({ where: { id }, data: { ...fields, updatedAt: new Date() } });
  }

  /** The folder and every folder below it. */
  async subtreeIds(userId: string, id: string): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>(Prisma.sql`
      WITH RECURSIVE sub(id) AS (
        SELECT id FROM chat.folders WHERE id = ${id}::uuid AND user_id = ${userId}::uuid
        UNION ALL
        SELECT f.id FROM chat.folders f JOIN sub ON f.parent_id = sub.id
      )
      SELECT id::text AS id FROM sub`);
    return rows.map((r) => r.id);
  }

  async delete(id: string): Promise<void> {
    await this.prisma.folder.delete({ where: { id } });
  }
}
