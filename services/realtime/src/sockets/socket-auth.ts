import type { Socket } from 'socket.io';
import { AuthenticatedUser, Authenticator, tokenFromCookie } from '@parley/auth-guard';
import { DomainError } from '@parley/errors';

/** The token a client sent: `auth.token` in the handshake, a Bearer header, or the browser's cookie. */
export function handshakeToken(socket: Socket): string | undefined {
  const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth;
  const header = socket.handshake.headers.authorization;
  const bearer = header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  return bearer ?? tokenFromCookie(socket.handshake.headers.cookie);
}

/** Socket.IO middleware: a connection without a valid, unrevoked token is refused with the reason. */
export function socketAuthMiddleware(authenticator: Authenticator) {
  return (socket: Socket, next: (error?: Error) => void): void => {
    const token = handshakeToken(socket);
    if (!token) return next(new Error('Not signed in: send auth.token in the handshake.'));
    authenticator.authenticate(token, { path: socket.handshake.url }).then(
      (user: AuthenticatedUser) => {
        socket.data.user = user;
        next();
      },
      (error: unknown) =>
        next(new Error(error instanceof DomainError ? error.message : 'The token could not be checked.')),
    );
  };
}
