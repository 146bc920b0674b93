import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { AUDIT_ROUTE, AuditRouteInfo } from './audit.middleware';

/** Tells the audit middleware which route pattern matched and its parameters (the resource ids). */
@Injectable()
export class AuditRouteInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<Request & { [AUDIT_ROUTE]?: AuditRouteInfo }>();
      const route = (req.route as { path?: string } | undefined)?.path;
      req[AUDIT_ROUTE] = {
        route: typeof route === 'string' ? route : req.path,
        params: { ...(req.params as Record<string, string>) },
      };
    }
    return next.handle();
  }
}
