import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LOGGER, type Logger } from '@parley/logging';
import { FILES_CONFIG, FilesConfig } from '../files.config';
import { FilesRepository } from '../files/files.repository';
import { STORAGE_PROVIDER, type StorageProvider } from '../storage/storage-provider';

/**
 * Removes stored objects whose row is gone (a crash between deleting the row and the bytes, or between
 * storing the bytes and the row). One copy at a time: a PostgreSQL advisory lock, which the files service
 * already has, rather than a Redis it does not otherwise need. Objects younger than
 * FILES_SWEEP_MIN_AGE_MS are left alone, since their upload may still be finishing.
 */
@Injectable()
export class OrphanSweeper implements OnModuleInit, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(FILES_CONFIG) private readonly config: FilesConfig,
    @Inject(FilesRepository) private readonly files: FilesRepository,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const every = this.config.FILES_SWEEP_INTERVAL_MS;
    if (!every) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep(new Date())
        .catch((error: unknown) => this.logger.warn({ err: error }, 'orphan sweep failed'))
        .finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep (the clock is passed in so tests decide what is old); undefined when another copy sweeps. */
  sweep(now: Date): Promise<number | undefined> {
    const before = now.getTime() - this.config.FILES_SWEEP_MIN_AGE_MS;
    return this.files.whileLocked(
      'files:orphan-sweep',
      async () => {
        let removed = 0;
        for await (const page of this.storage.list()) {
          const old = page.filter((object) => object.lastModified.getTime() <= before);
          if (!old.length) continue;
          const kept = await this.files.existingKeys(old.map((object) => object.key));
          for (const object of old) {
            if (kept.has(object.key)) continue;
            await this.storage.delete(object.key);
            removed++;
          }
        }
        if (removed) this.logger.info({ removed }, 'removed stored objects without a row');
        return removed;
      },
      10 * 60_000,
    );
  }
}
