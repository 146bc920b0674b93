import { Inject, Injectable } from '@nestjs/common';
import { ModelGatewayRedis } from '../redis/model-gateway-redis';

const PREFIX = 'parley:model-gateway:models:';

/** The model list of each connection, shared by every copy for MODELS_CACHE_TTL seconds. */
@Injectable()
export class ModelsCacheRepository {
  constructor(@Inject(ModelGatewayRedis) private readonly redis: ModelGatewayRedis) {}

  /** Cached lists by key; a Redis outage reads as "nothing cached". */
  async getMany(keys: string[]): Promise<Array<unknown[] | undefined>> {
    if (!keys.length) return [];
    try {
      const values = await this.redis.client.mget(keys.map((k) => PREFIX + k));
      return values.map((v) => (v ? (JSON.parse(v) as unknown[]) : undefined));
    } catch {
      return keys.map(() => undefined);
    }
  }

  async set(key: string, models: unknown[], ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    await this.redis.client
      .set(PREFIX + key, JSON.stringify(models), 'EX', ttlSeconds)
      .catch(() => undefined);
  }
}
