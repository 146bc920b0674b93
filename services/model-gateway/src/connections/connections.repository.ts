import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { Connection, ConnectionInput, ConnectionKind } from './connection';
import { SecretBox } from '@parley/secrets';

const SEEDED = 'connections.seeded';
const enabledKey = (kind: ConnectionKind) => `${kind}.enabled`;

/** The connections table and the run-time switches, with keys sealed on the way in and opened on the way out. */
@Injectable()
export class ConnectionsRepository {
  private readonly box: SecretBox;

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(MODEL_GATEWAY_CONFIG) config: ModelGatewayConfig,
  ) {
    this.box = new SecretBox(config.WEBUI_SECRET_KEY, 'model-gateway upstream api keys');
  }

  async list(): Promise<Connection[]> {
    const rows = await this.prisma.connection.findMany({ orderBy: [{ kind: 'asc' }, { position: 'asc' }] });
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind as ConnectionKind,
      baseUrl: row.baseUrl,
      apiKey: row.apiKeyEncrypted ? this.box.open(row.apiKeyEncrypted) : '',
      prefixId: row.prefixId ?? '',
      enabled: row.enabled,
      modelIds: Array.isArray(row.modelIds) ? (row.modelIds as string[]) : [],
      tags: Array.isArray(row.tags) ? (row.tags as string[]) : [],
      connectionType:
        row.connectionType === 'local' || row.connectionType === 'external'
          ? row.connectionType
          : row.kind === 'ollama'
            ? 'local'
            : 'external',
      position: row.position,
      updatedAt: row.updatedAt.getTime(),
    }));
  }

  async kindEnabled(): Promise<Record<ConnectionKind, boolean>> {
    const rows = await this.prisma.setting.findMany({
      where: { key: { in: ['openai.enabled', 'ollama.enabled'] } },
    });
    const value = (kind: ConnectionKind) => rows.find((r) => r.key === enabledKey(kind))?.value !== false;
    return { openai: value('openai'), ollama: value('ollama') };
  }

  /** Replaces the connections of one kind, in order, and optionally its switch; one transaction. */
  async replace(kind: ConnectionKind, connections: ConnectionInput[], enabled?: boolean): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.connection.deleteMany({ where: { kind } });
      if (connections.length)
        await tx.connection.createMany({ data: connections.map((c, i) => this.row(kind, c, i)) });
      if (enabled !== undefined) await this.writeSetting(tx, enabledKey(kind), enabled);
    });
  }

  /**
   * Writes the env connections once, on the first start of the first copy (an advisory lock makes two
   * copies starting together agree). Afterwards the table is the truth, as Open WebUI's persistent config.
   */
  async seedOnce(
    seed: Record<ConnectionKind, { enabled: boolean; connections: ConnectionInput[] }>,
  ): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('model_gateway.seed'))`);
      if (await tx.setting.findUnique({ where: { key: SEEDED } })) return false;
      for (const kind of ['openai', 'ollama'] as const) {
        const data = seed[kind].connections.map((c, i) => this.row(kind, c, i));
        if (data.length) await tx.connection.createMany({ data });
        await this.writeSetting(tx, enabledKey(kind), seed[kind].enabled);
      }
      await this.writeSetting(tx, SEEDED, true);
      return true;
    });
  }

  private row(kind: ConnectionKind, c: ConnectionInput, position: number) {
    return {
      id: randomUUID(),
      kind,
      baseUrl: c.baseUrl,
      apiKeyEncrypted: c.apiKey ? this.box.seal(c.apiKey) : null,
      prefixId: c.prefixId || null,
      enabled: c.enabled,
      modelIds: c.modelIds,
      tags: c.tags,
      connectionType: c.connectionType ?? '',
      position,
    };
  }

  private async writeSetting(tx: Pick<PrismaService, 'setting'>, key: string, value: boolean): Promise<void> {
    await tx.setting.upsert({
      where: { key },
      create: { key, value },
      update: { value, updatedAt: new Date() },
    });
  }
}
