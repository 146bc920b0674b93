import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { ServiceRedis } from '@parley/redis';
import { HealthRegistry } from '@parley/lifecycle';
import { REALTIME_CONFIG, RealtimeConfig } from '../realtime.config';

/**
 * The Redis connections of a copy: one for commands (pools, replay buffers) that also publishes for the
 * Socket.IO adapter, and one subscriber for the adapter, on WEBSOCKET_REDIS_URL when set; and the main
 * Redis (REDIS_URL), where revocations are heard. All reconnect by themselves after Redis restarts;
 * readiness reports `redis` (and `websocket-redis`) down meanwhile.
 */
@Injectable()
export class RealtimeRedis implements OnApplicationShutdown {
  private readonly redis: ServiceRedis;
  /** The main Redis when the sockets have one of their own. */
  private readonly main?: ServiceRedis;
  readonly client: Redis;
  readonly subscriber: Redis;
  /** Commands on the main Redis (the revocation list reads it). */
  readonly mainClient: Redis;
  /** Prefix of every key this service writes; copies with the same REALTIME_CLUSTER share them. */
  readonly prefix: string;

  constructor(
    @Inject(REALTIME_CONFIG) config: RealtimeConfig,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    this.prefix = `parley:rt:${config.REALTIME_CLUSTER}:`;
    // Commands fail fast while Redis is away (callers retry or nak); the adapter's subscriber waits.
    const sockets = config.WEBSOCKET_REDIS_URL
      ? {
          ...config,
          REDIS_URL: config.WEBSOCKET_REDIS_URL,
          REDIS_SENTINEL_HOSTS: config.WEBSOCKET_SENTINEL_HOSTS ?? config.REDIS_SENTINEL_HOSTS,
          REDIS_SENTINEL_PORT: config.WEBSOCKET_SENTINEL_PORT ?? config.REDIS_SENTINEL_PORT,
        }
      : config;
    this.redis = new ServiceRedis(sockets, {
      name: 'parley-realtime',
      subscriber: true,
      registerHealth: (name, check) =>
        health.register(config.WEBSOCKET_REDIS_URL ? 'websocket-redis' : name, check),
    });
    if (config.WEBSOCKET_REDIS_URL)
      this.main = new ServiceRedis(config, {
        name: 'parley-realtime-main',
        registerHealth: (name, check) => health.register(name, check),
      });
    this.client = this.redis.client;
    this.subscriber = this.redis.subscriber!;
    this.mainClient = this.main?.client ?? this.client;
  }

  isReady(): boolean {
    return this.redis.isReady() && (this.main?.isReady() ?? true);
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
      this.redis.close({ subscriber: !this.subscriberClosedByAdapter }),
      this.main?.close(),
    ]);
  }

  async closeSubscriber(): Promise<void> {
    await this.subscriber.quit().catch(() => undefined);
  }
}
