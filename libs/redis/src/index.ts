export { createRedis, redisEnv } from './redis-connection';
export type { RedisConnectionConfig } from './redis-connection';
