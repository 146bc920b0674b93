import Redis, { RedisOptions } from 'ioredis';
import { env, sensitive, z } from '@parley/config';

/**
 * Where Redis is, Open WebUI's variables: REDIS_URL alone for one server; with REDIS_MODE=sentinel the
 * URL's host is the master's name (or REDIS_SENTINEL_MASTER_NAME) and REDIS_SENTINEL_HOSTS /
 * REDIS_SENTINEL_PORT name the sentinels, so clients follow a failover by themselves.
 */
export function redisEnv() {
  return {
    REDIS_URL: sensitive(env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379')),
    REDIS_MODE: z
      .enum(['standalone', 'sentinel'], {
        errorMap: () => ({ message: 'must be standalone or sentinel (Redis Cluster is not supported yet)' }),
      })
      .default('standalone'),
    REDIS_SENTINEL_HOSTS: z.string().default(''),
    REDIS_SENTINEL_PORT: env.port(26379),
    REDIS_SENTINEL_MASTER_NAME: z.string().optional(),
    /** This installation's part of a shared Redis: every key is `<prefix>:<key>` (and so are pub/sub channels). */
    REDIS_KEY_PREFIX: env.installationPrefix(),
    /** Seconds to wait for a connection to Redis (Open WebUI's name; ioredis's 10 s when unset). */
    REDIS_SOCKET_CONNECT_TIMEOUT: z.coerce
      .number({ invalid_type_error: 'must be a number of seconds, e.g. 5 or 0.5' })
      .positive('must be more than 0 seconds')
      .max(600, 'must be at most 600 seconds')
      .optional(),
  };
}

export interface RedisConnectionConfig {
  REDIS_URL: string;
  REDIS_MODE: 'standalone' | 'sentinel';
  REDIS_SENTINEL_HOSTS: string;
  REDIS_SENTINEL_PORT: number;
  REDIS_SENTINEL_MASTER_NAME?: string;
  REDIS_KEY_PREFIX?: string;
  REDIS_SOCKET_CONNECT_TIMEOUT?: number;
}

/**
 * The pub/sub channel `name` of this installation. ioredis puts keyPrefix before keys, not before channels
 * (PUBLISH and SUBSCRIBE name no keys), so code with a channel asks its connection for the prefix here.
 */
export function channelName(connection: Redis, name: string): string {
  return (connection.options.keyPrefix ?? '') + name;
}

/** A new connection to the configured Redis, standalone or through the sentinels. */
export function createRedis(config: RedisConnectionConfig, given: RedisOptions = {}): Redis {
  const options: RedisOptions = {
    ...(config.REDIS_KEY_PREFIX ? { keyPrefix: `${config.REDIS_KEY_PREFIX}:` } : {}),
    ...(config.REDIS_SOCKET_CONNECT_TIMEOUT
      ? { connectTimeout: Math.round(config.REDIS_SOCKET_CONNECT_TIMEOUT * 1000) }
      : {}),
    ...given,
  };
  if (config.REDIS_MODE === 'standalone') return new Redis(config.REDIS_URL, options);
  const url = new URL(config.REDIS_URL);
  const hosts = config.REDIS_SENTINEL_HOSTS.split(',')
    .map((host) => host.trim())
    .filter(Boolean);
  if (!hosts.length)
    throw new Error('REDIS_MODE=sentinel needs REDIS_SENTINEL_HOSTS (comma-separated sentinel hosts).');
  return new Redis({
    ...options,
    sentinels: hosts.map((host) => {
      const [name, port] = host.split(':');
      return { host: name!, port: Number(port ?? config.REDIS_SENTINEL_PORT) };
    }),
    name: config.REDIS_SENTINEL_MASTER_NAME ?? url.hostname,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    db: Number(url.pathname.slice(1) || 0),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  });
}
