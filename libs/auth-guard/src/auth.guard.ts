import { CanActivate, ExecutionContext, Inject, Injectable, Optional, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError, ErrorKind } from '@parley/errors';
import { IS_PUBLIC } from '@parley/lifecycle';
import type { UserCaller } from '@parley/grpc';
import { AUTHENTICATOR, Authenticator } from './authenticator';
import { CALLER_PROFILES, CallerProfiles } from './caller-profiles';
import { tokenFromHeaders } from './token-extraction';
import { AuthenticatedUser } from './token-verifier';

export const ALLOW_PENDING = 'parley:allowPending';
export const REQUIRE_ADMIN = 'parley:requireAdmin';

/** The route is open to users still waiting for approval (who am I, sign out). */
export const AllowPending = (): ClassDecorator & MethodDecorator => SetMetadata(ALLOW_PENDING, true);
/** The route is for admins only. */
export const AdminOnly = (): ClassDecorator & MethodDecorator => SetMetadata(REQUIRE_ADMIN, true);

export type AuthenticatedRequest = Request & {
  user: AuthenticatedUser;
  /** Who the request's internal calls act for (role, groups, permissions from the auth service). */
  caller: UserCaller;
};

/**
 * The global guard: every route needs a valid token unless marked @Public(). Pending users reach only
 * routes marked @AllowPending(); admin routes are marked @AdminOnly().
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Optional() @Inject(CALLER_PROFILES) private readonly callers?: CallerProfiles,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = tokenFromHeaders(request.headers);
    if (!token)
      throw new DomainError(
        ErrorKind.Unauthenticated,
        'Not signed in: send a Bearer token or the token cookie.',
      );
    const user = await this.authenticator.authenticate(token, { path: request.path });
    if (user.role === 'pending' && !this.reflector.getAllAndOverride<boolean>(ALLOW_PENDING, targets)) {
      throw new DomainError(
        ErrorKind.PermissionDenied,
        'Your account is waiting for an administrator to approve it.',
      );
    }
    if (this.reflector.getAllAndOverride<boolean>(REQUIRE_ADMIN, targets) && user.role !== 'admin') {
      throw new DomainError(ErrorKind.PermissionDenied, 'This action needs an administrator.');
    }
    request.user = user;
    if (this.callers) request.caller = await this.callers.callerOf(user);
    return true;
  }
}
