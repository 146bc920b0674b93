import { Inject, Injectable } from '@nestjs/common';
import { takeWindowSlot, type WindowSlot } from '@parley/redis';
import { ModelGatewayRedis } from '../redis/model-gateway-redis';

const PREFIX = 'parley:model-gateway:quota:rpm:';
const WINDOW_MS = 60_000;

/** Requests per minute per user, shared by every copy through Redis (libs/redis takeWindowSlot). */
@Injectable()
export class RequestWindowRepository {
  constructor(@Inject(ModelGatewayRedis) private readonly redis: ModelGatewayRedis) {}

  /** Takes a slot in the user's last minute; when full, how many ms until one frees up. */
  take(userId: string, limit: number): Promise<WindowSlot> {
    return takeWindowSlot(this.redis.client, { key: PREFIX + userId, limit, windowMs: WINDOW_MS });
  }
}
