import { io } from 'socket.io-client';
import type { ConnectRealtime } from './realtime-types';

/** The gateway proxies this path to the realtime service; websocket only, as Open WebUI does. */
export const SOCKET_PATH = '/ws/socket.io';

export const connectSocketIo: ConnectRealtime = (token) =>
  io(window.location.origin, {
    path: SOCKET_PATH,
    transports: ['websocket'],
    // Without a bearer token the httpOnly cookie sent with the upgrade request identifies us.
    auth: token ? { token } : {},
  });
