import { Controller, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import { usageV1 } from '@parley/proto';
import { ModelCatalogClients } from '../presets/model-catalog-clients';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { usageContract as c } from './usage.contract';

function wholeNumber(name: string, value: unknown): number {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new DomainError(ErrorKind.InvalidArgument, `${name} must be a whole number of at least 1.`);
  return n;
}

function limitJson(limit: usageV1.UsageLimit) {
  return {
    subject: limit.subject === usageV1.LimitSubject.USER ? ('user' as const) : ('group' as const),
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
@Controller()
export class UsageController {
  constructor(@Inject(ModelCatalogClients) private readonly clients: ModelCatalogClients) {}

  @Route(c.list)
  async list(
    @RouteInput() { query }: Input<typeof c.list>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.list>> {
    const page = wholeNumber('page', query.page);
    const limit = wholeNumber('limit', query.limit);
    const reply = await this.clients.usage.listUsage(
      {
        userId: query.user_id ?? '',
        modelId: query.model ?? '',
        fromDay: query.from ?? '',
        toDay: query.to ?? '',
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

  @Route(c.limits)
  async limits(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.limits>> {
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

  @Route(c.set)
  async set(
    @RouteInput() { params, body: input }: Input<typeof c.set>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.set>> {
    const { kind, id } = params;
    const subject = subjectOf(kind);
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
      : {
          subject: kind === 'users' ? ('user' as const) : ('group' as const),
          id,
          requests_per_minute: null,
          tokens_per_day: null,
        };
  }

  @Route(c.remove)
  async remove(
    @RouteInput() { params }: Input<typeof c.remove>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.remove>> {
    await this.clients.usage.setUsageLimit(
      { subject: subjectOf(params.kind), subjectId: params.id },
      { caller: req.caller },
    );
    return true;
  }
}
