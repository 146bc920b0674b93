import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { LOGGER, Logger } from '@parley/logging';
import { EVENT_VERSION } from '@parley/nats';
import { SOCKET_EVENTS } from '../events/realtime-events';
import { REALTIME_CONFIG, RealtimeConfig } from '../realtime.config';
import { ADMIN_ROOM } from '../sockets/rooms';
import { SocketEmitter } from '../sockets/socket-emitter';
import { LocalSession, SessionPoolRepository } from './session-pool.repository';

/**
 * Keeps this copy's sockets in the shared session pool: adds them on connect, refreshes them every
 * third of the TTL, removes them on disconnect. After each change (at most once a second) it counts the
 * active users and tells the admins when the count moved.
 */
@Injectable()
export class SessionPoolService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly local = new Map<string, LocalSession>();
  private readonly ttlMs: number;
  private heartbeat?: NodeJS.Timeout;
  private countTimer?: NodeJS.Timeout;
  private lastCount?: number;

  constructor(
    @Inject(SessionPoolRepository) private readonly repository: SessionPoolRepository,
    @Inject(SocketEmitter) private readonly emitter: SocketEmitter,
    @Inject(REALTIME_CONFIG) config: RealtimeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.ttlMs = config.REALTIME_SESSION_TTL_SECONDS * 1000;
  }

  onApplicationBootstrap(): void {
    this.heartbeat = setInterval(() => void this.refresh(), Math.max(1_000, Math.floor(this.ttlMs / 3)));
    this.heartbeat.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.countTimer);
  }

  get localCount(): number {
    return this.local.size;
  }

  async add(session: LocalSession): Promise<void> {
    this.local.set(session.socketId, session);
    await this.repository
      .touch([session], this.ttlMs)
      .catch((error) => this.logger.warn({ err: error }, 'session pool: add failed; the heartbeat retries'));
    this.scheduleCount();
  }

  async remove(socketId: string): Promise<void> {
    const session = this.local.get(socketId);
    if (!session) return;
    this.local.delete(socketId);
    await this.repository
      .remove(session)
      .catch((error) => this.logger.warn({ err: error }, 'session pool: remove failed; the entry expires'));
    this.scheduleCount();
  }

  activeUserCount(): Promise<number> {
    return this.repository.activeUserCount();
  }

  /** Re-adds every local socket (this also restores the pool after Redis lost its data). */
  private async refresh(): Promise<void> {
    try {
      await this.repository.touch([...this.local.values()], this.ttlMs);
      await this.emitCountIfChanged();
    } catch (error) {
      this.logger.warn({ err: error }, 'session pool: heartbeat failed');
    }
  }

  private scheduleCount(): void {
    this.countTimer ??= setTimeout(() => {
      this.countTimer = undefined;
      void this.emitCountIfChanged().catch((error) =>
        this.logger.warn({ err: error }, 'session pool: count failed'),
      );
    }, 1_000);
    this.countTimer.unref();
  }

  private async emitCountIfChanged(): Promise<void> {
    const count = await this.repository.activeUserCount();
    if (count === this.lastCount) return;
    this.lastCount = count;
    this.emitter.toRooms([ADMIN_ROOM], SOCKET_EVENTS.userCount, { v: EVENT_VERSION, count });
  }
}
