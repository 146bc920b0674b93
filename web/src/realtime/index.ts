export { RealtimeProvider, useRealtime, useRealtimeEvent } from './realtime-context';
export type { ConnectRealtime, RealtimeConnection } from './realtime-types';
export {
  readServerEvent,
  useServerEvent,
  type ServerEvent,
  type ServerEventName,
  type ServerEvents,
} from './server-events';
export { connectSocketIo, SOCKET_PATH } from './socket-io-connection';
export type { ChatRefJson } from '../gen/parley/events/v1/chat_events_pb';
export type { ChatCompletionJson } from '../gen/parley/events/v1/realtime_events_pb';
