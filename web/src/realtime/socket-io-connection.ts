import { io } from 'socket.io-client';
import type { ConnectRealtime } from './realtime-types';

/**
 * The gateway proxies this path to the realtime service. WebSocket first; an installation that serves
 * long-polling only (ENABLE_WEBSOCKET_SUPPORT=false, for proxies that pass no upgrades) refuses the
 * WebSocket, and the client goes on to polling.
 */
export const SOCKET_PATH = '/ws/socket.io';

export const connectSocketIo: ConnectRealtime = (token) =>
  io(window.location.origin, {
    path: SOCKET_PATH,
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    // Without a bearer token the httpOnly cookie sent with the upgrade request identifies us.
    auth: token ? { token } : {},
  });
