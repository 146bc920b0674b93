import type { ApiClient, ChatListItem, ChatResponse, Folder, Tag as ChatTag } from '../api';

export type { Folder };
/** A chat's tag as the app uses it (a tag added a moment ago has no more than this yet). */
export type Tag = Pick<ChatTag, 'id' | 'name'>;
/** `GET /api/v1/chats/share/{share_id}`: the chat document of someone's shared chat. */
export type SharedChat = ChatResponse;

/**
 * The page size the server reports (X-Page-Size, the same for every chat list); unknown until a list
 * answered, and then a page with anything in it may have a next one.
 */
let reportedPageSize: number | undefined;

async function chatPage(api: ApiClient, path: string, signal?: AbortSignal): Promise<ChatListItem[]> {
  const { body, headers } = await api.getWithHeaders<ChatListItem[]>(path, signal ? { signal } : {});
  const size = Number(headers.get('X-Page-Size'));
  if (Number.isInteger(size) && size > 0) reportedPageSize = size;
  return body;
}

/** The page after `lastPageParam`, or undefined when `lastPage` was the last (shorter than a full page). */
export function nextChatPage(lastPage: readonly unknown[], lastPageParam: number): number | undefined {
  return lastPage.length < (reportedPageSize ?? 1) ? undefined : lastPageParam + 1;
}

/** Open WebUI's title for a chat nobody has named yet. */
export const DEFAULT_CHAT_TITLE = 'New Chat';

export const chatsApi = {
  list: (api: ApiClient, page: number, signal?: AbortSignal) =>
    chatPage(api, `/api/v1/chats/?page=${page}`, signal),
  search: (api: ApiClient, text: string, page: number, signal?: AbortSignal) =>
    chatPage(api, `/api/v1/chats/search?text=${encodeURIComponent(text)}&page=${page}`, signal),
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
    chatPage(api, `/api/v1/chats/archived?page=${page}`, signal),
  unarchiveAll: (api: ApiClient) => api.post<boolean>('/api/v1/chats/unarchive/all'),
  renameFolder: (api: ApiClient, id: string, name: string) =>
    api.post<Folder>(`${folder(id)}/update`, { body: { name } }),
  /** Open WebUI keeps whether a folder is open on the folder itself. */
  setFolderExpanded: (api: ApiClient, id: string, expanded: boolean) =>
    api.post<Folder>(`${folder(id)}/update/expanded`, { body: { is_expanded: expanded } }),
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
