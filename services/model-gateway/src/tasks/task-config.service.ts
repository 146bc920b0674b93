import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, type Logger } from '@parley/logging';
import { CachedTable, EVENTS, NatsClient } from '@parley/nats';
import { PrismaService } from '../database/prisma.service';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';

const template = z.string().max(20_000);
const modelId = z.string().max(256);

/** Every task setting, by Open WebUI's names (its /api/v1/tasks/config). */
const SCHEMAS = {
  TASK_MODEL: modelId,
  TASK_MODEL_EXTERNAL: modelId,
  ENABLE_TITLE_GENERATION: z.boolean(),
  TITLE_GENERATION_PROMPT_TEMPLATE: template,
  ENABLE_TAGS_GENERATION: z.boolean(),
  TAGS_GENERATION_PROMPT_TEMPLATE: template,
  ENABLE_FOLLOW_UP_GENERATION: z.boolean(),
  FOLLOW_UP_GENERATION_PROMPT_TEMPLATE: template,
  ENABLE_SEARCH_QUERY_GENERATION: z.boolean(),
  ENABLE_RETRIEVAL_QUERY_GENERATION: z.boolean(),
  QUERY_GENERATION_PROMPT_TEMPLATE: template,
  ENABLE_AUTOCOMPLETE_GENERATION: z.boolean(),
  AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH: z.number().int().min(-1).max(1_000_000),
  AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE: template,
} as const;

export type TaskConfig = { [K in keyof typeof SCHEMAS]: z.infer<(typeof SCHEMAS)[K]> };
const NAMES = Object.keys(SCHEMAS) as Array<keyof TaskConfig>;
const ROW_KEY = 'tasks.config';

const invalid = (message: string) =>
  new DomainError(ErrorKind.InvalidArgument, message, { code: 'INVALID_TASK_CONFIG' });

/**
 * The task settings: the environment's until an admin changes them, then the stored ones (one row of
 * the settings table, keyed `tasks.config`, holding only what was changed). Kept in memory on every copy
 * and dropped on every copy at once when one changes them (`model_gateway.task_config_changed`).
 */
@Injectable()
export class TaskConfigService implements OnModuleInit {
  private readonly table: CachedTable<Partial<TaskConfig>>;

  constructor(
    @Inject(MODEL_GATEWAY_CONFIG) private readonly config: ModelGatewayConfig,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(NatsClient) nats: NatsClient,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.table = new CachedTable(() => this.load(), 30_000, nats, EVENTS.taskConfigChanged, logger);
  }

  onModuleInit(): void {
    this.table.listen();
  }

  async get(): Promise<TaskConfig> {
    const stored = await this.table.get();
    const env = Object.fromEntries(NAMES.map((name) => [name, this.config[name]])) as TaskConfig;
    return { ...env, ...stored };
  }

  /** Applies a change: a JSON object of settings; `null` gives a setting the environment's value back. */
  async update(changesJson: string): Promise<TaskConfig> {
    let changes: unknown;
    try {
      changes = JSON.parse(changesJson);
    } catch {
      throw invalid('The task settings change is not JSON.');
    }
    if (typeof changes !== 'object' || changes === null || Array.isArray(changes))
      throw invalid('The task settings change must be a JSON object of setting names and values.');
    const set: Record<string, unknown> = {};
    const reset: string[] = [];
    for (const [key, value] of Object.entries(changes)) {
      if (!Object.hasOwn(SCHEMAS, key))
        throw invalid(`${key.slice(0, 100)} is not a task setting (these are: ${NAMES.join(', ')}).`);
      if (value === null) {
        reset.push(key);
        continue;
      }
      const parsed = SCHEMAS[key as keyof TaskConfig].safeParse(value);
      if (!parsed.success) throw invalid(`${key}: ${parsed.error.issues[0]?.message ?? 'is not valid'}.`);
      set[key] = parsed.data;
    }
    await this.prisma.$transaction(async (tx) => {
      // One writer at a time: two admins saving different settings at once both keep theirs.
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('model_gateway.tasks.config'))`);
      const row = await tx.setting.findUnique({ where: { key: ROW_KEY } });
      const next = { ...((row?.value as Record<string, unknown> | undefined) ?? {}), ...set };
      for (const key of reset) delete next[key];
      await tx.setting.upsert({
        where: { key: ROW_KEY },
        create: { key: ROW_KEY, value: next as object },
        update: { value: next as object, updatedAt: new Date() },
      });
    });
    this.table.changed();
    return this.get();
  }

  private async load(): Promise<Partial<TaskConfig>> {
    const row = await this.prisma.setting.findUnique({ where: { key: ROW_KEY } });
    const stored = (row?.value ?? {}) as Record<string, unknown>;
    // What no longer passes the checks is left to the environment.
    return Object.fromEntries(
      NAMES.filter((name) => SCHEMAS[name].safeParse(stored[name]).success).map((name) => [
        name,
        stored[name],
      ]),
    ) as Partial<TaskConfig>;
  }
}
