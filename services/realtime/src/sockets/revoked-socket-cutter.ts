import type { Server } from 'socket.io';
import type { AuthenticatedUser, RevocationList, RevocationMessage } from '@parley/auth-guard';
import type { Logger } from '@parley/logging';
import { encodeEvent, EVENT_VERSION } from '@parley/nats';
import { SOCKET_EVENTS } from '../events/realtime-events';
import { userRoom } from './rooms';

/**
 * Disconnects this copy's sockets whose token or API key was just revoked (sign-out, password or role
 * change, deletion, key replaced). Every copy hears the revocation channel and cuts its own sockets, so whichever copy holds
 * a socket drops it within the channel's delivery time.
 */
export function cutRevokedSockets(server: Server, revocations: RevocationList, logger: Logger): void {
  revocations.onMessage((message: RevocationMessage) => {
    if (message.kind === 'permissions') return;
    void (async () => {
      const sockets = message.user_id
        ? await server.local.in(userRoom(message.user_id)).fetchSockets()
        : await server.local.fetchSockets();
      for (const socket of sockets) {
        const user = socket.data.user as AuthenticatedUser | undefined;
        if (!user) continue;
        // API-key sockets (no issue time) go with every user-wide revocation and with a key change.
        const revoked =
          message.kind === 'token'
            ? user.tokenId === message.token_id
            : message.kind === 'api_key'
              ? !!user.apiKeyId
              : (user.issuedAtMs ?? 0) < (message.revoked_before_ms ?? Date.now());
        if (!revoked) continue;
        socket.emit(
          SOCKET_EVENTS.sessionRevoked.subject,
          encodeEvent(SOCKET_EVENTS.sessionRevoked, {
            v: EVENT_VERSION,
            detail: 'This session has ended (signed out or changed); sign in again.',
          }),
        );
        socket.disconnect(true);
        logger.info({ userId: user.id }, 'socket disconnected: token revoked');
      }
    })().catch((error) => logger.warn({ err: error }, 'could not cut revoked sockets'));
  });
}
