import type { Socket } from 'socket.io';
import { AuthenticatedUser, Authenticator, tokenFromCookie } from '@parley/auth-guard';
import { DomainError } from '@parley/errors';
import type { OriginPolicy } from '@parley/auth-guard';
import { describeRefusedOrigin } from './socket-origin';

export const PENDING_REFUSAL =
  'Your account is waiting for an administrator to approve it; the socket opens once it is approved.';

/** The token a client sent: `auth.token` in the handshake, a Bearer header, or the browser's cookie. */
export function handshakeToken(socket: Socket): string | undefined {
  const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth;
  const header = socket.handshake.headers.authorization;
  const bearer = header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  return bearer ?? tokenFromCookie(socket.handshake.headers.cookie);
}

/**
 * Socket.IO middleware: a connection is refused, with the reason as its connect_error message, when a
 * browser opens it from an origin that is not allowed (the cookie would otherwise sign in a cross-site
 * page), when it has no valid, unrevoked token, or when its user is still pending approval.
 */
export function socketAuthMiddleware(authenticator: Authenticator, origins: OriginPolicy) {
  return (socket: Socket, next: (error?: Error) => void): void => {
    const refusedOrigin = describeRefusedOrigin(socket.handshake.headers, origins);
    if (refusedOrigin) return next(new Error(refusedOrigin));
    const token = handshakeToken(socket);
    if (!token) return next(new Error('Not signed in: send auth.token in the handshake.'));
    authenticator.authenticate(token, { path: socket.handshake.url }).then(
      (user: AuthenticatedUser) => {
        if (user.role === 'pending') return next(new Error(PENDING_REFUSAL));
        socket.data.user = user;
        next();
      },
      (error: unknown) =>
        next(new Error(error instanceof DomainError ? error.message : 'The token could not be checked.')),
    );
  };
}
