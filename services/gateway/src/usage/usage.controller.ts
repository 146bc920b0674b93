import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { AdminOnly, AuthenticatedRequest } from '@parley/auth-guard';
import { z } from '@parley/config';
import { DomainError, ErrorKind } from '@parley/errors';
import { usageV1 } from '@parley/proto';
import { ModelCatalogClients } from '../presets/model-catalog-clients';
import { parseBody } from '../validation/parse-body';

const limitBody = z
  .object({
    requests_per_minute: z
      .number({ invalid_type_error: 'must be a whole number or null' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(1_000_000, 'must be at most 1000000')
      .nullable()
      .default(null),
    tokens_per_day: z
      .number({ invalid_type_error: 'must be a whole number or null' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(1_000_000_000_000, 'must be at most 1000000000000')
      .nullable()
      .default(null),
  })
  .strict('may only have requests_per_minute and tokens_per_day');

function wholeNumber(name: string, value: unknown): number {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new DomainError(ErrorKind.InvalidArgument, `${name} must be a whole number of at least 1.`);
  return n;
}

function limitJson(limit: usageV1.UsageLimit) {
  return {
    subject: limit.subject === usageV1.LimitSubject.USER ? 'user' : 'group',
    id: limit.subjectId,
    requests_per_minute: limit.requestsPerMinute ?? null,
    tokens_per_day: limit.tokensPerDay === undefined ? null : Number(limit.tokensPerDay),
    updated_at: Number(limit.updatedAt),
  };
}

const SUBJECTS = { users: usageV1.LimitSubject.USER, groups: usageV1.LimitSubject.GROUP } as const;

function subjectOf(kind: string) {
  // Own keys only: `__proto__` or `constructor` from the path would otherwise find Object's members.
  const subject = Object.hasOwn(SUBJECTS, kind) ? SUBJECTS[kind as keyof typeof SUBJECTS] : undefined;
  if (subject === undefined)
    throw new DomainError(
      ErrorKind.NotFound,
      'Limits are set on /usage/limits/users/{id} or /usage/limits/groups/{id}.',
    );
  return subject;
}

/**
 * Admin: token usage per user, model and day, and the quotas on requests per minute and tokens per day.
 * A user's limit wins over their groups' (the most generous group limit applies to each member), which
 * win over USAGE_DEFAULT_*; null inherits.
 */
@AdminOnly()
@Controller('api/v1/usage')
export class UsageController {
  constructor(@Inject(ModelCatalogClients) private readonly clients: ModelCatalogClients) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Req() req: AuthenticatedRequest) {
    const text = (name: string) => {
      const value = query[name];
      if (value !== undefined && typeof value !== 'string')
        throw new DomainError(ErrorKind.InvalidArgument, `${name} must be given once.`);
      return value ?? '';
    };
    const page = wholeNumber('page', query.page);
    const limit = wholeNumber('limit', query.limit);
    const reply = await this.clients.usage.listUsage(
      {
        userId: text('user_id'),
        modelId: text('model'),
        fromDay: text('from'),
        toDay: text('to'),
        page,
        pageSize: limit,
      },
      { caller: req.caller },
    );
    return {
      items: reply.rows.map((r) => ({
        user_id: r.userId,
        model: r.modelId,
        date: r.day,
        prompt_tokens: Number(r.promptTokens),
        completion_tokens: Number(r.completionTokens),
        total_tokens: Number(r.promptTokens + r.completionTokens),
        requests: r.requests,
        estimated_requests: r.estimatedRequests,
      })),
      total: reply.total,
      page: page || 1,
      limit: limit || 50,
      totals: {
        prompt_tokens: Number(reply.promptTokens),
        completion_tokens: Number(reply.completionTokens),
        total_tokens: Number(reply.promptTokens + reply.completionTokens),
        requests: Number(reply.requests),
      },
    };
  }

  @Get('limits')
  async limits(@Req() req: AuthenticatedRequest) {
    const reply = await this.clients.usage.getUsageLimits({}, { caller: req.caller });
    const limits = reply.limits.map(limitJson);
    return {
      defaults: {
        requests_per_minute: reply.defaultRequestsPerMinute ?? null,
        tokens_per_day: reply.defaultTokensPerDay === undefined ? null : Number(reply.defaultTokensPerDay),
      },
      users: limits.filter((l) => l.subject === 'user'),
      groups: limits.filter((l) => l.subject === 'group'),
    };
  }

  @Post('limits/:kind/:id')
  @HttpCode(200)
  async set(
    @Param('kind') kind: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest,
  ) {
    const subject = subjectOf(kind);
    const input = parseBody(limitBody, body);
    const reply = await this.clients.usage.setUsageLimit(
      {
        subject,
        subjectId: id,
        requestsPerMinute: input.requests_per_minute ?? undefined,
        tokensPerDay: input.tokens_per_day === null ? undefined : BigInt(input.tokens_per_day),
      },
      { caller: req.caller },
    );
    return reply.limit
      ? limitJson(reply.limit)
      : { subject: kind.slice(0, -1), id, requests_per_minute: null, tokens_per_day: null };
  }

  @Delete('limits/:kind/:id')
  async remove(@Param('kind') kind: string, @Param('id') id: string, @Req() req: AuthenticatedRequest) {
    await this.clients.usage.setUsageLimit(
      { subject: subjectOf(kind), subjectId: id },
      { caller: req.caller },
    );
    return true;
  }
}
