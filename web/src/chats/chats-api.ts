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
  search: (api: ApiClient, text: string, page: number, signal?: AbortSignal) =>
    api.get<ChatListItem[]>(
      `/api/v1/chats/search?text=${encodeURIComponent(text)}&page=${page}`,
      signal ? { signal } : {},
    ),
  pinned: (api: ApiClient, signal?: AbortSignal) =>
    api.get<ChatListItem[]>('/api/v1/chats/pinned', signal ? { signal } : {}),
  togglePin: (api: ApiClient, id: string) => api.post<ChatResponse & { pinned: boolean }>(`${one(id)}/pin`),
  toggleArchive: (api: ApiClient, id: string) =>
    api.post<ChatResponse & { archived: boolean }>(`${one(id)}/archive`),
  rename: (api: ApiClient, id: string, title: string) =>
    api.post<ChatResponse>(one(id), { body: { chat: { title } } }),
  remove: (api: ApiClient, id: string) => api.request<boolean>('DELETE', one(id)),
  share: (api: ApiClient, id: string) =>
    api.post<ChatResponse & { share_id: string | null }>(`${one(id)}/share`),
  get: (api: ApiClient, id: string) => api.get<ChatResponse>(one(id)),
  moveToFolder: (api: ApiClient, id: string, folderId: string | null) =>
    api.post<ChatResponse & { folder_id: string | null }>(`${one(id)}/folder`, {
      body: { folder_id: folderId },
    }),
  folders: (api: ApiClient, signal?: AbortSignal) =>
    api.get<Folder[]>('/api/v1/folders/', signal ? { signal } : {}),
  createFolder: (api: ApiClient, name: string, parentId?: string) =>
    api.post<Folder>('/api/v1/folders/', { body: parentId ? { name, parent_id: parentId } : { name } }),
  unshare: (api: ApiClient, id: string) => api.request<boolean>('DELETE', `${one(id)}/share`),
  shared: (api: ApiClient, shareId: string, signal?: AbortSignal) =>
    api.get<SharedChat>(`/api/v1/chats/share/${encodeURIComponent(shareId)}`, signal ? { signal } : {}),
  cloneShared: (api: ApiClient, shareId: string) => api.post<ChatResponse>(`${one(shareId)}/clone/shared`),
  archived: (api: ApiClient, page: number, signal?: AbortSignal) =>
    api.get<ChatListItem[]>(`/api/v1/chats/archived?page=${page}`, signal ? { signal } : {}),
  unarchiveAll: (api: ApiClient) => api.post<boolean>('/api/v1/chats/unarchive/all'),
  renameFolder: (api: ApiClient, id: string, name: string) =>
    api.post<Folder>(`${folder(id)}/update`, { body: { name } }),
  deleteFolder: (api: ApiClient, id: string, deleteContents: boolean) =>
    api.request<boolean>('DELETE', `${folder(id)}?delete_contents=${deleteContents}`),
  tags: (api: ApiClient, id: string, signal?: AbortSignal) =>
    api.get<Tag[]>(`${one(id)}/tags`, signal ? { signal } : {}),
  addTag: (api: ApiClient, id: string, name: string) =>
    api.post<Tag[]>(`${one(id)}/tags`, { body: { name } }),
  removeTag: (api: ApiClient, id: string, name: string) =>
    api.request<Tag[]>('DELETE', `${one(id)}/tags`, { body: { name } }),
  folderChats: (api: ApiClient, folderId: string, signal?: AbortSignal) =>
    api.get<ChatListItem[]>(
      `/api/v1/chats/folder/${encodeURIComponent(folderId)}/list?page=1`,
      signal ? { signal } : {},
    ),
};

/** `GET /api/v1/folders/`. */
export interface Folder {
  id: string;
  parent_id: string | null;
  name: string;
  is_expanded: boolean;
  created_at: number;
  updated_at: number;
}

/** `GET /api/v1/chats/{id}/tags`. */
export interface Tag {
  id: string;
  name: string;
}

/** `GET /api/v1/chats/share/{share_id}`: the chat document of someone's shared chat. */
export interface SharedChat extends ChatResponse {
  share_id?: string | null;
}

function folder(id: string): string {
  return `/api/v1/folders/${encodeURIComponent(id)}`;
}

function one(id: string): string {
  return `/api/v1/chats/${encodeURIComponent(id)}`;
}

export function toListItem(
  chat: Pick<ChatListItem, 'id' | 'title' | 'created_at' | 'updated_at'>,
): ChatListItem {
  return { id: chat.id, title: chat.title, created_at: chat.created_at, updated_at: chat.updated_at };
}
