import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ErrorKind, httpStatusOf, toSafeErrorText } from '@parley/errors';
import type { Logger } from '@parley/logging';

/**
 * Every HTTP error leaves as `{ "detail": "...", "code": "..." }`: `detail` is what Open WebUI clients read,
 * `code` a stable UPPER_SNAKE name clients can branch on or translate. Domain errors keep
 * their message; body-parser errors (bad JSON, too large) become 400/413; anything unexpected is logged
 * and answered with a 500 that reveals nothing.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.end();
      return;
    }
    const { status, detail, code, retryAfter } = this.describe(exception);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    // A detail often echoes input; keep it well-formed and bounded like every status text.
    res.status(status).json({ detail: toSafeErrorText(detail, 2000), code });
  }

  private describe(exception: unknown): {
    status: number;
    detail: string;
    code: string;
    retryAfter?: number;
  } {
    if (exception instanceof DomainError) {
      if (exception.kind === ErrorKind.Internal) this.logger.error({ err: exception }, 'internal error');
      return {
        status: httpStatusOf(exception.kind),
        detail: exception.message,
        code: exception.code,
        retryAfter: exception.extra.retryAfterSeconds,
      };
    }
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : ((response as { detail?: string; message?: string | string[] }).detail ??
            (response as { message?: string | string[] }).message);
      const status = exception.getStatus();
      return {
        status,
        code: codeOfHttpStatus(status),
        detail: Array.isArray(message) ? message.join('; ') : String(message ?? exception.message),
      };
    }
    this.logger.error({ err: exception }, 'unhandled error');
    return {
      status: 500,
      detail: 'Something went wrong on our side; the service log has the details.',
      code: ErrorKind.Internal,
    };
  }
}

/** A code for errors that are not domain errors (body-parser's bad JSON and too large, Nest's own). */
function codeOfHttpStatus(status: number): string {
  if (status === 400) return 'INVALID_INPUT';
  if (status === 401) return ErrorKind.Unauthenticated;
  if (status === 403) return ErrorKind.PermissionDenied;
  if (status === 404) return ErrorKind.NotFound;
  if (status === 413) return ErrorKind.PayloadTooLarge;
  if (status === 429) return ErrorKind.RateLimited;
  return status >= 500 ? ErrorKind.Internal : 'HTTP_' + status;
}
