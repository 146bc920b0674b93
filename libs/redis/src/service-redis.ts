import type Redis from 'ioredis';
import { createRedis, type RedisConnectionConfig } from './redis-connection';

export interface ServiceRedisOptions {
  /** Shown in Redis's CLIENT LIST: `parley-<service>`. */
  name: string;
  /** A second connection for pub/sub (a subscribed connection can do nothing else). */
  subscriber?: boolean;
  /** Registers the readiness check (`redis`): both connections answer. */
  registerHealth?: (name: string, check: () => Promise<boolean> | boolean) => void;
}

/**
 * The Redis connections of a service copy, with the one failure policy every service follows: while
 * Redis is away a command fails at once (no offline queue, one retry) so callers answer 503 or fall
 * back instead of piling up commands without bound; both connections reconnect by themselves (every
 * 100 ms more, at most a second apart) and readiness reports `redis` down meanwhile.
 */
export class ServiceRedis {
  readonly client: Redis;
  readonly subscriber?: Redis;

  constructor(config: RedisConnectionConfig, options: ServiceRedisOptions) {
    const policy = {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
    };
    this.client = createRedis(config, { ...policy, connectionName: options.name });
    // The subscriber keeps its subscriptions across reconnects, which needs its offline queue.
    if (options.subscriber)
      this.subscriber = createRedis(config, {
        retryStrategy: policy.retryStrategy,
        connectionName: `${options.name}-sub`,
      });
    for (const connection of this.connections()) connection.on('error', () => undefined);
    options.registerHealth?.('redis', () => this.answers());
  }

  /** Both connections are up (no round trip: for hot paths that must not wait). */
  isReady(): boolean {
    return this.connections().every((connection) => connection.status === 'ready');
  }

  /** The readiness check: the subscriber is up and the command connection answers a PING. */
  async answers(): Promise<boolean> {
    if (this.subscriber && this.subscriber.status !== 'ready') return false;
    return (await this.client.ping().catch(() => undefined)) === 'PONG';
  }

  /** Quits both connections (a subscriber another owner closes can be left out). */
  async close({ subscriber = true }: { subscriber?: boolean } = {}): Promise<void> {
    const quit = (connection: Redis) => connection.quit().catch(() => connection.disconnect());
    await Promise.all([quit(this.client), subscriber && this.subscriber ? quit(this.subscriber) : undefined]);
  }

  private connections(): Redis[] {
    return this.subscriber ? [this.client, this.subscriber] : [this.client];
  }
}
