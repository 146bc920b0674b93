import { channelName, createRedis } from './redis-connection';

const base = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  REDIS_MODE: 'standalone' as const,
  REDIS_SENTINEL_HOSTS: '',
  REDIS_SENTINEL_PORT: 26379,
};

describe('a Redis connection from Open WebUI variables', () => {
  it('prefixes keys and channels with REDIS_KEY_PREFIX and waits REDIS_SOCKET_CONNECT_TIMEOUT seconds', () => {
    const redis = createRedis(
      { ...base, REDIS_KEY_PREFIX: 'open-webui', REDIS_SOCKET_CONNECT_TIMEOUT: 2.5 },
      { lazyConnect: true },
    );
    expect(redis.options.keyPrefix).toBe('open-webui:');
    expect(redis.options.connectTimeout).toBe(2_500);
    expect(channelName(redis, 'parley:auth:revocations')).toBe('open-webui:parley:auth:revocations');
    redis.disconnect();
  });

  it('leaves names alone and keeps ioredis defaults without them', () => {
    const redis = createRedis(base, { lazyConnect: true });
    expect(redis.options.keyPrefix ?? '').toBe('');
    expect(redis.options.connectTimeout).toBe(10_000);
    expect(channelName(redis, 'parley:auth:revocations')).toBe('parley:auth:revocations');
    redis.disconnect();
  });

  it('applies them through the sentinels too', () => {
    const redis = createRedis(
      {
        ...base,
        REDIS_URL: 'redis://mymaster:6379/0',
        REDIS_MODE: 'sentinel',
        REDIS_SENTINEL_HOSTS: 'a:26379',
        REDIS_KEY_PREFIX: 'team-a',
        REDIS_SOCKET_CONNECT_TIMEOUT: 1,
      },
      { lazyConnect: true },
    );
    expect(redis.options.keyPrefix).toBe('team-a:');
    expect(redis.options.connectTimeout).toBe(1_000);
    redis.disconnect();
  });
});
