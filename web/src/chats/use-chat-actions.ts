import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query';
import { useCallback } from 'react';
import { useApi, type ChatListItem } from '../api';
import { useServerEvent, type ChatRefJson, type ServerEvent } from '../realtime';
import { chatKeys, flattenChats, mergeChat, removeChat, upsertInList, type ChatPages } from './chat-cache';
import { chatsApi, nextChatPage, toListItem, type Tag } from './chats-api';

export interface ChatSummary extends ChatListItem {
  pinned: boolean;
  archived: boolean;
  folder_id: string | null;
}

/**
 * The summary a `chat:updated` / `chat:created` event carries, or null when the event is about all
 * chats of the user or lacks a part of the summary.
 */
export function chatSummaryOf(chat: ChatRefJson | undefined): ChatSummary | null {
  if (
    typeof chat !== 'object' ||
    chat === null ||
    typeof chat.id !== 'string' ||
    !chat.id ||
    typeof chat.title !== 'string' ||
    typeof chat.created_at !== 'number' ||
    typeof chat.updated_at !== 'number'
  )
    return null;
  return {
    id: chat.id,
    title: chat.title,
    created_at: chat.created_at,
    updated_at: chat.updated_at,
    pinned: chat.pinned === true,
    archived: chat.archived === true,
    folder_id: typeof chat.folder_id === 'string' && chat.folder_id !== '' ? chat.folder_id : null,
  };
}

/** Puts a chat where it belongs now: the pinned list, the main list, a folder, or (archived) none. */
export function placeChat(queryClient: QueryClient, chat: ChatSummary) {
  const item = toListItem(chat);
  const inList = !chat.pinned && !chat.archived && chat.folder_id === null;
  for (const [key, list] of queryClient.getQueriesData<ChatListItem[]>({
    queryKey: [...chatKeys.all, 'folder'],
  })) {
    const folderId = key[2];
    const belongs = folderId === chat.folder_id && !chat.archived;
    if (list && (belongs || list.some((c) => c.id === chat.id)))
      queryClient.setQueryData<ChatListItem[]>(key, upsertInList(list, item, belongs));
  }
  queryClient.setQueryData<ChatPages>(chatKeys.list(), (data) =>
    inList ? mergeChat(data, item) : removeChat(data, chat.id),
  );
  queryClient.setQueryData<ChatListItem[]>(chatKeys.pinned(), (list) =>
    upsertInList(list, item, chat.pinned && !chat.archived),
  );
}

export function forgetChat(queryClient: QueryClient, id: string) {
  queryClient.setQueryData<ChatPages>(chatKeys.list(), (data) => removeChat(data, id));
  queryClient.setQueryData<ChatListItem[]>(chatKeys.pinned(), (list) => list?.filter((c) => c.id !== id));
  queryClient.removeQueries({ queryKey: ['chat', id] });
  void queryClient.invalidateQueries({ queryKey: [...chatKeys.all, 'search'] });
}

export function useFolders() {
  const api = useApi();
  return useQuery({ queryKey: chatKeys.folders(), queryFn: ({ signal }) => chatsApi.folders(api, signal) });
}

export function useFolderChats(folderId: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: chatKeys.folder(folderId),
    queryFn: ({ signal }) => chatsApi.folderChats(api, folderId, signal),
    enabled,
  });
}

/** A chat's tags, shown on its row: from the list when it carried them, else asked for. */
export function useChatTags(id: string, fromList?: string[]) {
  const api = useApi();
  return useQuery({
    queryKey: chatKeys.tags(id),
    queryFn: ({ signal }) => chatsApi.tags(api, id, signal),
    staleTime: 5 * 60_000,
    ...(fromList ? { initialData: fromList.map((name): Tag => ({ id: name, name })) } : {}),
  });
}

/** Whether a chat is shared: from the list when it said, else the menu asks for the chat. */
export function useChatShareId(id: string, enabled: boolean, fromList?: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: chatKeys.meta(id),
    queryFn: async () => {
      const chat = await chatsApi.get(api, id);
      return { share_id: (chat as { share_id?: string | null }).share_id ?? null };
    },
    enabled,
    staleTime: 5 * 60_000,
    ...(fromList !== undefined ? { initialData: { share_id: fromList } } : {}),
  });
}

export function useArchivedChats(enabled: boolean) {
  const api = useApi();
  const query = useInfiniteQuery({
    queryKey: chatKeys.archived(),
    queryFn: ({ pageParam, signal }) => chatsApi.archived(api, pageParam, signal),
    initialPageParam: 1,
    getNextPageParam: (lastPage, _pages, lastPageParam) => nextChatPage(lastPage, lastPageParam),
    enabled,
  });
  return { ...query, chats: flattenChats(query.data) };
}

export function usePinnedChats() {
  const api = useApi();
  return useQuery({ queryKey: chatKeys.pinned(), queryFn: ({ signal }) => chatsApi.pinned(api, signal) });
}

export function useChatSearch(text: string) {
  const api = useApi();
  const query = useInfiniteQuery({
    queryKey: chatKeys.search(text),
    queryFn: ({ pageParam, signal }) => chatsApi.search(api, text, pageParam, signal),
    initialPageParam: 1,
    getNextPageParam: (lastPage, _pages, lastPageParam) => nextChatPage(lastPage, lastPageParam),
    enabled: text !== '',
  });
  return { ...query, chats: flattenChats(query.data) };
}

/** Other tabs' changes (pin, archive, rename, delete, new messages) reach the sidebar over the socket. */
export function useChatChangesSync(onDeleted: (id: string | null) => void) {
  const queryClient = useQueryClient();
  const onUpdated = useCallback(
    (event: ServerEvent<'chat:updated'>) => {
      const chat = chatSummaryOf(event.chat);
      if (chat) placeChat(queryClient, chat);
      else if (event.all === true) void queryClient.invalidateQueries({ queryKey: chatKeys.all });
    },
    [queryClient],
  );
  const onDeletedEvent = useCallback(
    (event: ServerEvent<'chat:deleted'>) => {
      if (event.all === true) {
        queryClient.setQueryData<ChatPages>(chatKeys.list(), (data) =>
          data ? { ...data, pages: data.pages.map(() => []) } : data,
        );
        queryClient.setQueryData<ChatListItem[]>(chatKeys.pinned(), (list) => (list ? [] : list));
        onDeleted(null);
      } else if (typeof event.chat?.id === 'string') {
        forgetChat(queryClient, event.chat.id);
        onDeleted(event.chat.id);
      }
    },
    [queryClient, onDeleted],
  );
  useServerEvent('chat:updated', onUpdated);
  useServerEvent('chat:deleted', onDeletedEvent);
}

function asSummary(
  chat: ChatListItem & { pinned?: boolean; archived?: boolean; folder_id?: string | null },
): ChatSummary {
  return {
    ...toListItem(chat),
    pinned: chat.pinned === true,
    archived: chat.archived === true,
    folder_id: chat.folder_id ?? null,
  };
}

/** Pin, rename, archive, delete, share, export: each updates the caches from the server's answer. */
export function useChatActions() {
  const api = useApi();
  const queryClient = useQueryClient();
  const pin = useMutation({
    mutationFn: (id: string) => chatsApi.togglePin(api, id),
    onSuccess: (chat) => placeChat(queryClient, asSummary(chat)),
  });
  const archive = useMutation({
    mutationFn: (id: string) => chatsApi.toggleArchive(api, id),
    onSuccess: (chat) => {
      placeChat(queryClient, asSummary(chat));
      queryClient.setQueryData<ChatPages>(chatKeys.archived(), (data) =>
        chat.archived ? data : removeChat(data, chat.id),
      );
      if (chat.archived) void queryClient.invalidateQueries({ queryKey: chatKeys.archived() });
    },
  });
  const unarchiveAll = useMutation({
    mutationFn: () => chatsApi.unarchiveAll(api),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: chatKeys.all }),
  });
  const unshare = useMutation({
    mutationFn: (id: string) => chatsApi.unshare(api, id),
    onSuccess: (_ok, id) => queryClient.setQueryData(chatKeys.meta(id), { share_id: null }),
  });
  const setTags = (id: string) => (tags: Tag[]) => queryClient.setQueryData(chatKeys.tags(id), tags);
  const addTag = useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) => chatsApi.addTag(api, id, name),
    onSuccess: (tags, { id }) => setTags(id)(tags),
  });
  const removeTag = useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) => chatsApi.removeTag(api, id, name),
    onSuccess: (tags, { id }) => setTags(id)(tags),
  });
  const renameFolder = useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) => chatsApi.renameFolder(api, id, name),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: chatKeys.folders() }),
  });
  const deleteFolder = useMutation({
    mutationFn: ({ id, withChats }: { id: string; withChats: boolean }) =>
      chatsApi.deleteFolder(api, id, withChats),
    onSuccess: (_ok, { id }) => {
      queryClient.removeQueries({ queryKey: chatKeys.folder(id) });
      void queryClient.invalidateQueries({ queryKey: chatKeys.all });
    },
  });
  const rename = useMutation({
    mutationFn: ({ id, title }: { id: string; title: string }) => chatsApi.rename(api, id, title),
    onSuccess: (chat) => {
      placeChat(queryClient, asSummary(chat));
      queryClient.setQueryData<{ title: string }>(['chat', chat.id], (data) =>
        data ? { ...data, title: chat.title } : data,
      );
      void queryClient.invalidateQueries({ queryKey: [...chatKeys.all, 'search'] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => chatsApi.remove(api, id),
    onSuccess: (_ok, id) => forgetChat(queryClient, id),
  });
  const share = useMutation({
    mutationFn: async (id: string) => {
      const chat = await chatsApi.share(api, id);
      queryClient.setQueryData(chatKeys.meta(id), { share_id: chat.share_id ?? null });
      const url = `${window.location.origin}/s/${chat.share_id ?? ''}`;
      try {
        await navigator.clipboard.writeText(url);
      } catch {
        // The link is shown as well; copying is a convenience.
      }
      return url;
    },
  });
  const exportChat = useMutation({
    mutationFn: async (id: string) => {
      const chat = await chatsApi.get(api, id);
      const blob = new Blob([JSON.stringify([chat], null, 2)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `chat-export-${chat.id}.json`;
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 1000);
      return chat;
    },
  });
  const move = useMutation({
    mutationFn: ({ id, folderId }: { id: string; folderId: string | null }) =>
      chatsApi.moveToFolder(api, id, folderId),
    onSuccess: (chat) => placeChat(queryClient, asSummary(chat)),
  });
  const createFolder = useMutation({
    mutationFn: ({ name, parentId }: { name: string; parentId?: string }) =>
      chatsApi.createFolder(api, name, parentId),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: chatKeys.folders() }),
  });
  return {
    pin,
    archive,
    unarchiveAll,
    rename,
    remove,
    share,
    unshare,
    exportChat,
    move,
    createFolder,
    renameFolder,
    deleteFolder,
    addTag,
    removeTag,
  };
}
