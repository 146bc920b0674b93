import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from '@parley/auth-guard';
import { PermissionsCache } from './permissions-cache';

const REQUIRED_PERMISSION = 'parley:requiredPermission';

/** The route needs this permission flag (from the user's groups; admins have every flag). */
export const RequirePermission = (flag: string): MethodDecorator => SetMetadata(REQUIRED_PERMISSION, flag);

/** Runs after the AuthGuard: checks the route's permission flag against the user's effective permissions. */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(PermissionsCache) private readonly permissions: PermissionsCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const flag = this.reflector.get<string | undefined>(REQUIRED_PERMISSION, context.getHandler());
    if (!flag) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (request.user.role !== 'admin') await this.permissions.require(request.user.id, flag);
    return true;
  }
}
