import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AuthenticatedUser } from '@parley/auth-guard';
import { REQUEST_ID_HEADER } from '@parley/logging';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { AuditLog } from './audit-log';
import { bodyForLog, excludedPathMatcher, isAudited, SIGN_IN_PATHS } from './audit-record';

/** What the audit interceptor learns once a route matched (guards have passed by then). */
export interface AuditRouteInfo {
  route: string;
  params: Record<string, string>;
}
export const AUDIT_ROUTE = Symbol('auditRoute');
type AuditedRequest = Request & { user?: AuthenticatedUser; [AUDIT_ROUTE]?: AuditRouteInfo };

/**
 * The audit log (Open WebUI's AUDIT_* variables): one JSON line with `"audit": true` per
 * state-changing request and per sign-in attempt, written when the answer is sent, so refusals by
 * the guards (401, 403) and errors are recorded with their status too. Bodies only from the REQUEST
 * level on, redacted and cut; headers (Authorization, cookies) never.
 */
@Injectable()
export class AuditMiddleware implements NestMiddleware {
  private readonly excluded: (path: string) => boolean;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {
    this.excluded = excludedPathMatcher(config.AUDIT_EXCLUDED_PATHS);
  }

  use(req: AuditedRequest, res: Response, next: NextFunction): void {
    const audit = this.audit;
    const path = (req.originalUrl ?? req.url).split('?')[0]!;
    if (!audit.enabled || !isAudited(req.method, path, this.excluded)) return next();
    const started = Date.now();
    let responseBody: unknown;
    // A sign-in is public (no req.user): who signed in is read from its answer.
    if (audit.level === 'REQUEST_RESPONSE' || SIGN_IN_PATHS.includes(path)) {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        responseBody = body;
        return json(body);
      };
    }
    res.once('finish', () => {
      try {
        audit.write(this.record(req, res, path, started, responseBody));
      } catch {
        // an audit line that cannot be built never fails the request it describes
      }
    });
    next();
  }

  private record(
    req: AuditedRequest,
    res: Response,
    path: string,
    started: number,
    responseBody: unknown,
  ): Record<string, unknown> {
    const matched = req[AUDIT_ROUTE];
    const max = this.audit.maxBodySize;
    const signIn = SIGN_IN_PATHS.includes(path);
    const body = req.body as Record<string, unknown> | undefined;
    const record: Record<string, unknown> = {
      audit: true,
      audit_level: this.audit.level,
      timestamp: new Date(started).toISOString(),
      event: signIn ? 'signin' : 'request',
      method: req.method,
      route: matched?.route ?? 'unmatched',
      path,
      params: matched?.params ?? {},
      user: req.user ? { id: req.user.id, role: req.user.role } : null,
      source_ip: req.ip,
      user_agent: req.headers['user-agent'],
      status: res.statusCode,
      outcome: res.statusCode < 400 ? 'success' : 'failure',
      request_id: res.getHeader(REQUEST_ID_HEADER) ?? req.headers[REQUEST_ID_HEADER],
      duration_ms: Date.now() - started,
    };
    const answer = responseBody as { id?: unknown; role?: unknown } | undefined;
    if (signIn && !req.user && res.statusCode < 400 && typeof answer?.id === 'string')
      record.user = { id: answer.id, role: typeof answer.role === 'string' ? answer.role : undefined };
    if (signIn && body && typeof body === 'object') {
      const who = body.email ?? body.user;
      if (typeof who === 'string') record.attempted_account = who.slice(0, 320);
    }
    if (this.audit.withBodies) record.request_body = bodyForLog(req.body, max);
    if (this.audit.level === 'REQUEST_RESPONSE') record.response_body = bodyForLog(responseBody, max);
    return record;
  }
}
