import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, type Logger } from '@parley/logging';
import { CachedTable, EVENTS, NatsClient } from '@parley/nats';
import { AUTH_CONFIG, AuthConfig } from '../auth.config';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { AuthRedis } from '../redis/auth-redis';
import { UUID } from '../users/user-rules';
import {
  type AuthSettings,
  effectiveAuthSettings,
  parseChanges,
  type StoredSettings,
} from './instance-settings';

/**
 * The runtime settings (Open WebUI's persistent config): rows an admin wrote, over the environment. Read
 * on every sign-up and permission check, so each copy keeps them in memory; a change drops that copy on
 * every auth copy at once (`auth.instance_settings_changed`), and a missed event is caught up within 30 s.
 */
@Injectable()
export class InstanceSettingsService implements OnModuleInit {
  private readonly table: CachedTable<StoredSettings>;

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(AuthRedis) private readonly redis: AuthRedis,
    @Inject(NatsClient) nats: NatsClient,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.table = new CachedTable(() => this.load(), 30_000, nats, EVENTS.instanceSettingsChanged, logger);
  }

  onModuleInit(): void {
    this.table.listen();
  }

  /** The auth service's own settings as they apply now. */
  async effective(): Promise<AuthSettings> {
    return effectiveAuthSettings(this.config, await this.table.get());
  }

  /**
   * Auth's settings in effect, the others where an admin set them, and two that only the environment
   * sets (shown on Open WebUI's admin screen): WEBUI_URL and JWT_EXPIRES_IN.
   */
  async all(): Promise<Record<string, unknown>> {
    return {
      ...(await this.table.get()),
      ...(await this.effective()),
      WEBUI_URL: this.config.WEBUI_URL ?? '',
      JWT_EXPIRES_IN: this.config.JWT_EXPIRES_IN,
    };
  }

  /** Applies a change (validated whole before anything is written) by the admin `adminId`. */
  async update(changesJson: string, adminId: string): Promise<Record<string, unknown>> {
    // The admin is recorded by id: a caller whose id is no user's cannot have changed anything.
    if (!UUID.test(adminId)) throw new DomainError(ErrorKind.PermissionDenied, 'No such administrator.');
    const { set, reset } = parseChanges(changesJson);
    const before = await this.effective();
    const writes = Object.entries(set).map(([key, value]) => {
      const json = JSON.stringify(value);
      // Not Prisma's upsert: two admins saving at once would make one fail on the primary key.
      return this.prisma.$executeRaw`
        INSERT INTO auth.instance_settings (key, value, updated_by, updated_at)
        VALUES (${key}, ${json}::jsonb, ${adminId}::uuid, now())
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by,
          updated_at = EXCLUDED.updated_at`;
    });
    await this.prisma.$transaction([
      ...writes,
      ...(reset.length ? [this.prisma.instanceSetting.deleteMany({ where: { key: { in: reset } } })] : []),
    ]);
    this.table.changed();
    const after = await this.effective();
    // Tokens and caller assertions carry permissions: a change of the defaults must reach them.
    if (JSON.stringify(before.USER_PERMISSIONS) !== JSON.stringify(after.USER_PERMISSIONS))
      await this.redis.revocations.permissionsChanged();
    return this.all();
  }

  private async load(): Promise<StoredSettings> {
    const rows = await this.prisma.instanceSetting.findMany({ select: { key: true, value: true } });
    return Object.fromEntries(rows.map((row) => [row.key, row.value as Prisma.JsonValue]));
  }
}
