import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { GatewayRedis } from '../downstream/redis.provider';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { SlidingWindowLimiter } from './sliding-window-limiter';

/** Sign-in and sign-up attempts, limited per client IP and per account across every gateway copy. */
@Injectable()
export class SignInRateLimit {
  private readonly limiter: SlidingWindowLimiter;

  constructor(
    @Inject(GatewayRedis) redis: GatewayRedis,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.limiter = new SlidingWindowLimiter(redis.client);
  }

  check(ip: string, email: string): Promise<void> {
    const windowMs = this.config.SIGNIN_RATE_LIMIT_WINDOW_SECONDS * 1000;
    // Hashed: keys in Redis should not spell out who tried to sign in.
    const account = createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
    return this.limiter.hit([
      {
        key: `parley:ratelimit:signin:ip:${ip}`,
        limit: this.config.SIGNIN_RATE_LIMIT_PER_IP,
        windowMs,
        what: 'from this address',
      },
      {
        key: `parley:ratelimit:signin:account:${account}`,
        limit: this.config.SIGNIN_RATE_LIMIT_PER_ACCOUNT,
        windowMs,
        what: 'for this account',
      },
    ]);
  }
}
