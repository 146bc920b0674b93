import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { LimitSubject, UsageFilter, UsageRepository } from './usage.repository';
import { TokenUsage } from './token-usage';
import { UsageAccumulator } from './usage-accumulator';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_PAGE_SIZE = 500;

/** Today's UTC date as YYYY-MM-DD: usage days and token quotas turn over at midnight UTC. */
export const utcDay = (at = new Date()): string => at.toISOString().slice(0, 10);

function checkDay(name: string, value: string | undefined): void {
  if (!value) return;
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new DomainError(ErrorKind.InvalidArgument, `${name} must be a date as YYYY-MM-DD.`);
}

/** Records completions' tokens and answers the admin's questions about them. */
@Injectable()
export class UsageService {
  constructor(
    @Inject(UsageRepository) private readonly usage: UsageRepository,
    @Inject(UsageAccumulator) private readonly unwritten: UsageAccumulator,
  ) {}

  /**
   * Adds a completion's tokens to this copy's sums (written every USAGE_FLUSH_INTERVAL_MS): synchronous,
   * so a stream ends without waiting for PostgreSQL, and it never fails the completion.
   */
  record(userId: string, modelId: string, tokens: TokenUsage): void {
    this.unwritten.add(userId, modelId, tokens);
  }

  /**
   * A user's tokens today: what PostgreSQL has plus what this copy has not written yet. A batch leaves
   * the unwritten sums only once its write has finished, so a read that started before the write
   * committed still counts it here (it could miss it only if the write committed after the read and
   * finished before the read's answer was handled, a sub-millisecond window). Other copies' unwritten
   * sums are at most one flush interval behind (docs/performance.md).
   */
  async tokensToday(userId: string): Promise<number> {
    const day = utcDay();
    const written = await this.usage.tokensOn(userId, day);
    return written + this.unwritten.unwrittenTokens(userId, day);
  }

  async list(filter: UsageFilter, page: number, pageSize: number) {
    checkDay('from', filter.fromDay);
    checkDay('to', filter.toDay);
    if (filter.fromDay && filter.toDay && filter.fromDay > filter.toDay)
      throw new DomainError(ErrorKind.InvalidArgument, 'from must not be after to.');
    if (page < 0 || pageSize < 0 || pageSize > MAX_PAGE_SIZE)
      throw new DomainError(
        ErrorKind.InvalidArgument,
        `page must be at least 1 and page size between 1 and ${MAX_PAGE_SIZE}.`,
      );
    const size = pageSize || 50;
    const current = page || 1;
    return { ...(await this.usage.list(filter, (current - 1) * size, size)), page: current, pageSize: size };
  }

  limits() {
    return this.usage.allLimits();
  }

  async setLimit(
    subject: LimitSubject,
    subjectId: string,
    requestsPerMinute: number | null,
    tokensPerDay: number | null,
  ) {
    if (!subjectId.trim() || subjectId.length > 200)
      throw new DomainError(ErrorKind.InvalidArgument, `A ${subject} id is required.`);
    if (requestsPerMinute !== null && !(Number.isInteger(requestsPerMinute) && requestsPerMinute >= 0))
      throw new DomainError(
        ErrorKind.InvalidArgument,
        'requests_per_minute must be a whole number of 0 or more.',
      );
    if (tokensPerDay !== null && !(Number.isSafeInteger(tokensPerDay) && tokensPerDay >= 0))
      throw new DomainError(ErrorKind.InvalidArgument, 'tokens_per_day must be a whole number of 0 or more.');
    return this.usage.setLimit(subject, subjectId, requestsPerMinute, tokensPerDay);
  }
}
