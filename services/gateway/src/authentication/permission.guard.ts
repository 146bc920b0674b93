import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';

const REQUIRED_PERMISSION = 'parley:requiredPermission';

/** The route needs this permission flag (from the user's groups; admins have every flag). */
export const RequirePermission = (flag: string): MethodDecorator => SetMetadata(REQUIRED_PERMISSION, flag);

/** Runs after the AuthGuard: checks the route's permission flag against the caller's permissions. */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const flag = this.reflector.get<string | undefined>(REQUIRED_PERMISSION, context.getHandler());
    if (!flag) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.caller.permissions.has(flag))
      throw new DomainError(
        ErrorKind.PermissionDenied,
        `You do not have the permission "${flag}"; ask an administrator.`,
      );
    return true;
  }
}
