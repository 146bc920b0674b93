import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { LOGGER, Logger } from '@parley/logging';
import { EVENTS, NatsClient } from '@parley/nats';
import { CachedTable } from '@parley/nats';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { DomainError, ErrorKind } from '@parley/errors';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { toAccessControl } from '@parley/grpc';
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

/**
 * The presets table. Every completion asks whether its model is a preset, so reads come from memory
 * (the whole table, refreshed every CONNECTIONS_CACHE_MS and at once after a write on any copy).
 */
@Injectable()
export class PresetsRepository implements OnModuleInit {
  private readonly table: CachedTable<{ list: Preset[]; byId: Map<string, Preset> }>;

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(NatsClient) nats: NatsClient,
    @Inject(MODEL_GATEWAY_CONFIG) config: ModelGatewayConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.table = new CachedTable(
      async () => {
        const list = (await this.prisma.preset.findMany({ orderBy: { updatedAt: 'desc' } })).map(toPreset);
        return { list, byId: new Map(list.map((p) => [p.id, p])) };
      },
      config.CONNECTIONS_CACHE_MS,
      nats,
      EVENTS.presetsChanged,
      logger,
    );
  }

  onModuleInit(): void {
    this.table.listen();
  }

  async all(): Promise<Preset[]> {
    return (await this.table.get()).list;
  }

  async get(id: string): Promise<Preset | undefined> {
    return (await this.table.get()).byId.get(id);
  }

  async create(userId: string, input: PresetInput): Promise<Preset> {
    try {
      const created = toPreset(
        await this.prisma.preset.create({ data: { id: input.id, userId, ...columns(input) } }),
      );
      this.table.changed();
      return created;
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
    if (!count) return undefined;
    this.table.changed();
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    const deleted = (await this.prisma.preset.deleteMany({ where: { id } })).count > 0;
    if (deleted) this.table.changed();
    return deleted;
  }
}
