import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { UsageLimitRow, UsageRepository } from '../usage/usage.repository';
import { UsageService } from '../usage/usage.service';
import { RequestWindowRepository } from './request-window.repository';

export interface QuotaCaller {
  userId: string;
  role: string;
  groupIds?: string[];
}

interface Effective {
  value: number;
  /** Where the limit comes from, for the message. */
  source: string;
}

/**
 * One limit of a user: their own if set, else the most generous of their groups' (a group's limit
 * applies to each member, and groups widen as they do for permissions), else the env default (0 there
 * means none).
 */
export function effectiveLimit(
  rows: UsageLimitRow[],
  pick: (row: UsageLimitRow) => number | null,
  fallback: number,
): Effective | undefined {
  const own = rows.find((r) => r.subject === 'user' && pick(r) !== null);
  if (own) return { value: pick(own)!, source: 'your own limit' };
  let best: UsageLimitRow | undefined;
  for (const row of rows)
    if (row.subject === 'group' && pick(row) !== null && (!best || pick(row)! > pick(best)!)) best = row;
  if (best) return { value: pick(best)!, source: `the limit of your group ${best.subjectId}` };
  return fallback > 0 ? { value: fallback, source: 'the default limit' } : undefined;
}

const secondsToUtcMidnight = (now = new Date()): number => {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - now.getTime()) / 1000));
};

/**
 * Admission to a completion: requests per minute (a sliding window in Redis, shared by every copy) and
 * tokens per UTC day (the usage recorded so far, in PostgreSQL). Called by every entry point before a
 * completion starts; throws RATE_LIMITED with Retry-After and which limit it was. Admins are never
 * limited. With Redis down the per-minute limit is not enforced (logged): the chat stays available.
 */
@Injectable()
export class QuotaService {
  constructor(
    @Inject(UsageRepository) private readonly limits: UsageRepository,
    @Inject(UsageService) private readonly usage: UsageService,
    @Inject(RequestWindowRepository) private readonly window: RequestWindowRepository,
    @Inject(MODEL_GATEWAY_CONFIG) private readonly config: ModelGatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async admit(caller: QuotaCaller, _model?: string): Promise<void> {
    if (caller.role === 'admin') return;
    const rows = await this.limits.limitsFor(caller.userId, caller.groupIds ?? []);
    const tokens = effectiveLimit(rows, (r) => r.tokensPerDay, this.config.USAGE_DEFAULT_TOKENS_PER_DAY);
    if (tokens) {
      const used = await this.usage.tokensToday(caller.userId);
      if (used >= tokens.value) {
        const retryAfterSeconds = secondsToUtcMidnight();
        throw new DomainError(
          ErrorKind.RateLimited,
          `Token limit reached: you have used ${used} of ${tokens.value} tokens per day (${tokens.source}); ` +
            `it resets at midnight UTC, in ${retryAfterSeconds} seconds.`,
          { retryAfterSeconds, code: 'QUOTA_EXCEEDED' },
        );
      }
    }
    const rpm = effectiveLimit(
      rows,
      (r) => r.requestsPerMinute,
      this.config.USAGE_DEFAULT_REQUESTS_PER_MINUTE,
    );
    if (!rpm) return;
    let slot: Awaited<ReturnType<RequestWindowRepository['take']>>;
    try {
      slot = await this.window.take(caller.userId, rpm.value);
    } catch (error) {
      this.logger.warn({ err: error }, 'Redis did not answer; the requests-per-minute limit is not enforced');
      return;
    }
    if (!slot.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(slot.waitMs / 1000));
      throw new DomainError(
        ErrorKind.RateLimited,
        `Request limit reached: at most ${rpm.value} requests per minute (${rpm.source}); ` +
          `try again in ${retryAfterSeconds} seconds.`,
        { retryAfterSeconds, code: 'RATE_LIMITED' },
      );
    }
  }
}
