import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { LimitSubject, UsageFilter, UsageRepository } from './usage.repository';
import { TokenUsage } from './token-usage';

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
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Adds a completion's tokens; never fails the completion (a lost row is logged, not thrown). */
  async record(userId: string, modelId: string, tokens: TokenUsage): Promise<void> {
    try {
      await this.usage.add(
        userId,
        modelId,
        utcDay(),
        tokens.promptTokens,
        tokens.completionTokens,
        tokens.estimated,
      );
    } catch (error) {
      this.logger.error({ err: error, userId, modelId }, 'could not record the usage of a completion');
    }
  }

  tokensToday(userId: string): Promise<number> {
    return this.usage.tokensOn(userId, utcDay());
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
