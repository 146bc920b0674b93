import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { GrpcServerHost } from '@parley/grpc';
import { usageV1 } from '@parley/proto';
import { actingAdmin } from '../authorization/acting-user';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { LimitSubject, UsageLimitRow } from './usage.repository';
import { UsageService } from './usage.service';

const { LimitSubject: Subject } = usageV1;

function subjectOf(subject: usageV1.LimitSubject): LimitSubject {
  if (subject === Subject.USER) return 'user';
  if (subject === Subject.GROUP) return 'group';
  throw new DomainError(ErrorKind.InvalidArgument, 'subject must be USER or GROUP.');
}

const limitToProto = (row: UsageLimitRow) => ({
  subject: row.subject === 'user' ? Subject.USER : Subject.GROUP,
  subjectId: row.subjectId,
  requestsPerMinute: row.requestsPerMinute ?? undefined,
  tokensPerDay: row.tokensPerDay === null ? undefined : BigInt(row.tokensPerDay),
  updatedAt: BigInt(Math.floor(row.updatedAt.getTime() / 1000)),
});

/** The UsageService contract (admins only, from the verified caller), mapped onto UsageService. */
@Injectable()
export class UsageGrpcHandlers implements OnModuleInit {
  constructor(
    @Inject(GrpcServerHost) private readonly host: GrpcServerHost,
    @Inject(UsageService) private readonly usage: UsageService,
    @Inject(MODEL_GATEWAY_CONFIG) private readonly config: ModelGatewayConfig,
  ) {}

  onModuleInit(): void {
    this.host.addService(usageV1.UsageService, {
      listUsage: async (request, call) => {
        actingAdmin(call.caller);
        const result = await this.usage.list(
          {
            userId: request.userId || undefined,
            modelId: request.modelId || undefined,
            fromDay: request.fromDay || undefined,
            toDay: request.toDay || undefined,
          },
          request.page,
          request.pageSize,
        );
        return {
          rows: result.rows.map((r) => ({
            userId: r.userId,
            modelId: r.modelId,
            day: r.day,
            promptTokens: BigInt(r.promptTokens),
            completionTokens: BigInt(r.completionTokens),
            requests: r.requests,
            estimatedRequests: r.estimatedRequests,
          })),
          total: result.total,
          promptTokens: BigInt(result.promptTokens),
          completionTokens: BigInt(result.completionTokens),
          requests: BigInt(result.requests),
        };
      },
      getUsageLimits: async (_request, call) => {
        actingAdmin(call.caller);
        return {
          defaultRequestsPerMinute: this.config.USAGE_DEFAULT_REQUESTS_PER_MINUTE || undefined,
          defaultTokensPerDay: this.config.USAGE_DEFAULT_TOKENS_PER_DAY
            ? BigInt(this.config.USAGE_DEFAULT_TOKENS_PER_DAY)
            : undefined,
          limits: (await this.usage.limits()).map(limitToProto),
        };
      },
      setUsageLimit: async (request, call) => {
        actingAdmin(call.caller);
        const row = await this.usage.setLimit(
          subjectOf(request.subject),
          request.subjectId,
          request.requestsPerMinute ?? null,
          request.tokensPerDay === undefined ? null : Number(request.tokensPerDay),
        );
        return { limit: row ? limitToProto(row) : undefined };
      },
    });
  }
}
