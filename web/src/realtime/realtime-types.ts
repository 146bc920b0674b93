import type { ChatListItem } from '../api';

/** The part of a Socket.IO client socket the app uses; tests pass a fake. */
export interface RealtimeConnection {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  disconnect(): unknown;
  /** Client → server request; the last argument may be the acknowledgement callback. */
  emit(event: string, ...args: unknown[]): unknown;
  /** Socket.IO's session id while connected. */
  readonly id?: string | undefined;
  readonly connected?: boolean;
}

export type ConnectRealtime = (token: string | null) => RealtimeConnection;

/** Payload of the server's `chat:created` event, version 1. */
export interface ChatCreatedEventV1 {
  v: 1;
  chat: ChatListItem & { user_id: string };
}

/** Socket input is checked before it touches the cache: an unknown version or a malformed chat is ignored. */
export function parseChatCreated(payload: unknown): ChatCreatedEventV1 | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const { v, chat } = payload as { v?: unknown; chat?: unknown };
  if (v !== 1 || typeof chat !== 'object' || chat === null) return null;
  const c = chat as Record<string, unknown>;
  if (
    typeof c['id'] !== 'string' ||
    typeof c['title'] !== 'string' ||
    typeof c['user_id'] !== 'string' ||
    typeof c['created_at'] !== 'number' ||
    typeof c['updated_at'] !== 'number'
  ) {
    return null;
  }
  return {
    v: 1,
    chat: {
      id: c['id'],
      title: c['title'],
      user_id: c['user_id'],
      created_at: c['created_at'],
      updated_at: c['updated_at'],
    },
  };
}
