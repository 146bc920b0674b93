import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import { useApi, type ChatListItem } from '../api';
import { useRealtime, useServerEvent, type ServerEvent } from '../realtime';
import { chatKeys, flattenChats, mergeChat, type ChatPages } from './chat-cache';
import { chatsApi, nextChatPage, toListItem } from './chats-api';
import { chatSummaryOf } from './use-chat-actions';

export function useChatList() {
  const api = useApi();
  const query = useInfiniteQuery({
    queryKey: chatKeys.list(),
    queryFn: ({ pageParam, signal }) => chatsApi.list(api, pageParam, signal),
    initialPageParam: 1,
    getNextPageParam: (lastPage, _pages, lastPageParam) => nextChatPage(lastPage, lastPageParam),
  });
  return { ...query, chats: flattenChats(query.data) };
}

function useMergeChat() {
  const queryClient = useQueryClient();
  return useCallback(
    (chat: ChatListItem) => {
      queryClient.setQueryData<ChatPages>(chatKeys.list(), (data) => mergeChat(data, chat));
    },
    [queryClient],
  );
}

/**
 * Keeps the chat list current from the socket: `chat:created` (from this or
 * another tab) is merged into the cache. After a reconnect the list is
 * refetched once, since events sent while disconnected are lost.
 */
export function useChatRealtimeSync() {
  const merge = useMergeChat();
  const queryClient = useQueryClient();
  const connection = useRealtime();
  const wasDisconnected = useRef(false);

  const onChatCreated = useCallback(
    (event: ServerEvent<'chat:created'>) => {
      const chat = chatSummaryOf(event.chat);
      if (chat) merge(toListItem(chat));
    },
    [merge],
  );
  useServerEvent('chat:created', onChatCreated);

  useEffect(() => {
    if (!connection) return;
    const onDisconnect = () => {
      wasDisconnected.current = true;
    };
    const onConnect = () => {
      if (!wasDisconnected.current) return;
      wasDisconnected.current = false;
      void queryClient.invalidateQueries({ queryKey: chatKeys.list() });
    };
    connection.on('disconnect', onDisconnect);
    connection.on('connect', onConnect);
    return () => {
      connection.off('disconnect', onDisconnect);
      connection.off('connect', onConnect);
    };
  }, [connection, queryClient]);
}
