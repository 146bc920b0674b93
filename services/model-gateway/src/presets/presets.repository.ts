import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { toAccessControl } from './access-control';
import { Preset, PresetInput, PresetParams } from './preset';

type Row = Awaited<ReturnType<PrismaService['preset']['findFirstOrThrow']>>;

function toPreset(row: Row): Preset {
  return {
    id: row.id,
    userId: row.userId,
    baseModelId: row.baseModelId,
    name: row.name,
    description: row.description,
    systemPrompt: row.systemPrompt,
    params: (row.params ?? {}) as PresetParams,
    knowledgeIds: (row.knowledgeIds ?? []) as string[],
    accessControl: toAccessControl(row.accessControl),
    isActive: row.isActive,
    meta: (row.meta ?? {}) as Record<string, unknown>,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function columns(input: PresetInput) {
  return {
    baseModelId: input.baseModelId,
    name: input.name,
    description: input.description,
    systemPrompt: input.systemPrompt,
    params: input.params as Prisma.InputJsonValue,
    knowledgeIds: input.knowledgeIds,
    accessControl: input.accessControl === null ? Prisma.DbNull : (input.accessControl as object),
    isActive: input.isActive,
    meta: input.meta as Prisma.InputJsonValue,
  };
}

/** The presets table. */
@Injectable()
export class PresetsRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  async all(): Promise<Preset[]> {
    return (await this.prisma.preset.findMany({ orderBy: { updatedAt: 'desc' } })).map(toPreset);
  }

  async get(id: string): Promise<Preset | undefined> {
    const row = await this.prisma.preset.findUnique({ where: { id } });
    return row ? toPreset(row) : undefined;
  }

  async create(userId: string, input: PresetInput): Promise<Preset> {
    try {
      return toPreset(await this.prisma.preset.create({ data: { id: input.id, userId, ...columns(input) } }));
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002')
        throw new DomainError(ErrorKind.AlreadyExists, `A preset with the id "${input.id}" already exists.`);
      throw error;
    }
  }

  async update(id: string, input: PresetInput): Promise<Preset | undefined> {
    const { count } = await this.prisma.preset.updateMany({
      where: { id },
      data: { ...columns(input), updatedAt: new Date() },
    });
    return count ? this.get(id) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.prisma.preset.deleteMany({ where: { id } })).count > 0;
  }
}
