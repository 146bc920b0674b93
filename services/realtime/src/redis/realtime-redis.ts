import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { createRedis } from '@parley/redis';
import { HealthRegistry } from '@parley/lifecycle';
import { REALTIME_CONFIG, RealtimeConfig } from '../realtime.config';

/**
 * The Redis connections of a copy: one for commands (pools, replay buffers) that also publishes for the
 * Socket.IO adapter, and one subscriber for the adapter. Both reconnect by themselves after Redis
 * restarts; readiness reports `redis` down meanwhile.
 */
@Injectable()
export class RealtimeRedis implements OnApplicationShutdown {
  readonly client: Redis;
  readonly subscriber: Redis;
  /** Prefix of every key this service writes; copies with the same REALTIME_CLUSTER share them. */
  readonly prefix: string;

  constructor(
    @Inject(REALTIME_CONFIG) config: RealtimeConfig,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    this.prefix = `parley:rt:${config.REALTIME_CLUSTER}:`;
    this.client = createRedis(config, {
      connectionName: 'parley-realtime',
      // Fail a command fast while Redis is away instead of queueing it for ever; callers retry or nak.
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    });
    this.subscriber = this.client.duplicate({ connectionName: 'parley-realtime-sub' });
    for (const client of [this.client, this.subscriber]) client.on('error', () => undefined);
    health.register('redis', () => this.isReady());
  }

  isReady(): boolean {
    return this.client.status === 'ready' && this.subscriber.status === 'ready';
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /**
   * Set by the Socket.IO adapter that subscribes on `subscriber`: the adapter unsubscribes when Nest
   * closes the Socket.IO server, which is after the shutdown hooks, so it quits the subscriber itself.
   * Quitting it here first made that unsubscribe reject unhandled and the process exit 1.
   */
  subscriberClosedByAdapter = false;

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([
      this.client.quit().catch(() => undefined),
      this.subscriberClosedByAdapter ? undefined : this.closeSubscriber(),
    ]);
  }

  async closeSubscriber(): Promise<void> {
    await this.subscriber.quit().catch(() => undefined);
  }
}
