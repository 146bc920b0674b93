export { channelName, createRedis, redisEnv } from './redis-connection';
export type { RedisConnectionConfig } from './redis-connection';
export { takeWindowSlot } from './sliding-window';
export type { WindowSlot } from './sliding-window';
export { ServiceRedis } from './service-redis';
export type { ServiceRedisOptions } from './service-redis';
