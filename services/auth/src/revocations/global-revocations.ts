import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { RevocationMessage } from '@parley/auth-guard';
import { LOGGER, type Logger } from '@parley/logging';
import { LRUCache } from 'lru-cache';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config';
import { PrismaService } from '../database/prisma.service';
import { AuthRedis } from '../redis/auth-redis';
import type { Prisma } from '../generated/prisma/client';

/** Rows newer than this (database clock) are read on every pass; commits may land out of id order. */
const WINDOW_SECONDS = 10;
/** After a start, what may have been missed while no copy of this region ran. */
const START_WINDOW_SECONDS = 300;
const CLEANUP_EVERY_MS = 60_000;

/**
 * Revocations across regions (docs/multi-region.md). Each region has its own Redis, where the gateway
 * and realtime look revocations up; the database is shared by every region. So a revocation made here
 * is also written to `auth.revocations`, and every auth copy of every other region reads new rows every
 * REVOCATION_RELAY_INTERVAL_MS and applies them to its region's Redis (monotonic and idempotent, so
 * copies and replays do no harm). Off when PARLEY_REGION is unset: one region needs none of it.
 */
@Injectable()
export class GlobalRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running = false;
  private windowSeconds = START_WINDOW_SECONDS;
  private lastCleanup = 0;
  private readonly seen = new LRUCache<string, true>({ max: 100_000 });

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(AuthRedis) private readonly redis: AuthRedis,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private get region(): string | undefined {
    return this.config.PARLEY_REGION;
  }

  onApplicationBootstrap(): void {
    const region = this.region;
    if (!region) return;
    this.redis.revocations.forwardTo(async (message) => {
      await this.prisma.revocation.create({
        data: {
          region,
          message: message as unknown as Prisma.InputJsonValue,
          expiresAt: new Date(this.redis.revocations.keepUntilMs(message)),
        },
      });
    });
    this.timer = setInterval(() => void this.relayOnce(), this.config.REVOCATION_RELAY_INTERVAL_MS);
    this.timer.unref();
    void this.relayOnce();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass: apply what other regions revoked recently and this copy has not applied yet. */
  async relayOnce(): Promise<number> {
    if (this.running || !this.region) return 0;
    this.running = true;
    let applied = 0;
    try {
      const rows = await this.prisma.$queryRaw<Array<{ id: bigint; message: RevocationMessage }>>`
        SELECT id, message FROM auth.revocations
         WHERE region <> ${this.region} AND created_at > now() - make_interval(secs => ${this.windowSeconds})
         ORDER BY id LIMIT 5000`;
      for (const row of rows) {
        const id = String(row.id);
        if (this.seen.has(id)) continue;
        await this.redis.revocations.apply(row.message);
        this.seen.set(id, true);
        applied++;
      }
      this.windowSeconds = WINDOW_SECONDS;
      if (Date.now() - this.lastCleanup > CLEANUP_EVERY_MS) {
        this.lastCleanup = Date.now();
        await this.prisma.revocation.deleteMany({ where: { expiresAt: { lt: new Date() } } });
      }
    } catch (error) {
      // The next pass tries again with the same window: nothing is lost while the database is away.
      this.logger.warn({ err: error }, 'could not relay revocations from other regions');
    } finally {
      this.running = false;
    }
    return applied;
  }
}
