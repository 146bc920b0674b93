export { RealtimeProvider, useRealtime, useRealtimeEvent } from './realtime-context';
export {
  parseChatCreated,
  type ChatCreatedEventV1,
  type ConnectRealtime,
  type RealtimeConnection,
} from './realtime-types';
export { connectSocketIo, SOCKET_PATH } from './socket-io-connection';
