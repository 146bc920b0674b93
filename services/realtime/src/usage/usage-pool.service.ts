import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { LOGGER, Logger } from '@parley/logging';
import { EVENT_VERSION } from '@parley/nats';
import { SOCKET_EVENTS } from '../events/realtime-events';
import { REALTIME_CONFIG, RealtimeConfig } from '../realtime.config';
import { SocketEmitter } from '../sockets/socket-emitter';
import { UsagePoolRepository } from './usage-pool.repository';

/**
 * Which models are in use, from `task.started`/`task.stopped`. A change is broadcast to every socket
 * by the copy that made it; expiries are swept every few seconds and broadcast by the copy that
 * swept them.
 */
@Injectable()
export class UsagePoolService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly ttlMs: number;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(UsagePoolRepository) private readonly repository: UsagePoolRepository,
    @Inject(SocketEmitter) private readonly emitter: SocketEmitter,
    @Inject(REALTIME_CONFIG) config: RealtimeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.ttlMs = config.REALTIME_USAGE_TTL_SECONDS * 1000;
  }

  onApplicationBootstrap(): void {
    const every = Math.min(5_000, Math.max(1_000, Math.floor(this.ttlMs / 4)));
    this.sweeper = setInterval(() => {
      this.repository.sweep().then(
        ({ expired, models }) => expired > 0 && this.broadcast(models),
        (error) => this.logger.warn({ err: error }, 'usage pool: sweep failed'),
      );
    }, every);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  async started(taskId: string, modelId: string): Promise<void> {
    await this.repository.start(taskId, modelId, this.ttlMs);
    this.broadcast((await this.repository.sweep()).models);
  }

  async stopped(taskId: string): Promise<void> {
    await this.repository.stop(taskId, this.ttlMs);
    this.broadcast((await this.repository.sweep()).models);
  }

  async models(): Promise<string[]> {
    return (await this.repository.sweep()).models;
  }

  private broadcast(models: string[]): void {
    this.emitter.toAll(SOCKET_EVENTS.usage, { v: EVENT_VERSION, models });
  }
}
