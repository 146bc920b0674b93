import type { ApiClient, ChatListItem, ChatResponse } from '../api';

/** Server page size of `GET /api/v1/chats/`. */
export const CHAT_PAGE_SIZE = 50;

/** Open WebUI's title for a chat nobody has named yet. */
export const DEFAULT_CHAT_TITLE = 'New Chat';

export const chatsApi = {
  list: (api: ApiClient, page: number, signal?: AbortSignal) =>
    api.get<ChatListItem[]>(`/api/v1/chats/?page=${page}`, signal ? { signal } : {}),
  create: (api: ApiClient, title: string) =>
    api.post<ChatResponse>('/api/v1/chats/new', { body: { chat: { title } } }),
};

export function toListItem(
  chat: Pick<ChatListItem, 'id' | 'title' | 'created_at' | 'updated_at'>,
): ChatListItem {
  return { id: chat.id, title: chat.title, created_at: chat.created_at, updated_at: chat.updated_at };
}
