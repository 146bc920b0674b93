import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { useApi } from '../api';
import { chatKeys, mergeChat, type ChatPages } from '../chats/chat-cache';
import { DEFAULT_CHAT_TITLE } from '../chats/chats-api';
import { readMessageFiles, type MessageFile } from '../files';
import { useRealtime, useServerEvent, type ServerEvent } from '../realtime';
import { useCompletions } from './completions-context';
import { conversationApi, newId } from './conversation-api';
import type { ChatDocumentResponse, ChatHistory, ChatMessage } from './conversation-types';
import { branchTo, newestLeafBelow, readHistory, withMessage } from './message-tree';

export interface Conversation {
  id: string;
  title: string;
  history: ChatHistory;
  models: string[];
  pinned: boolean;
}

export const conversationKeys = {
  chat: (id: string) => ['chat', id] as const,
};

function toConversation(doc: ChatDocumentResponse): Conversation {
  return {
    id: doc.id,
    title: doc.title || doc.chat.title || '',
    history: readHistory(doc.chat.history),
    models: Array.isArray(doc.chat.models) ? doc.chat.models.filter((m) => typeof m === 'string') : [],
    pinned: doc.pinned === true,
  };
}

/**
 * Server data wins, but an answer this tab created a moment ago (the model gateway adds it to the
 * chat itself, a little later) is kept until the server has it.
 */
export function mergeFetched(previous: Conversation | undefined, fetched: Conversation): Conversation {
  if (!previous) return fetched;
  let history = fetched.history;
  for (const message of Object.values(previous.history.messages)) {
    if (history.messages[message.id] || message.role !== 'assistant' || message.done === true) continue;
    if (message.parentId && !history.messages[message.parentId]) continue;
    history = withMessage(history, message, previous.history.currentId === message.id);
  }
  return { ...fetched, history };
}

export interface DisplayMessage extends ChatMessage {
  streaming: boolean;
  errorText: string | undefined;
  /** What the answer cites: saved on the message, or from its first delta while it streams. */
  sources: ChatMessage['sources'];
}

/** The branch in view with streamed text folded in. */
export function useDisplayBranch(history: ChatHistory | undefined): DisplayMessage[] {
  const { store, stopped } = useCompletions();
  // Re-render on every delta of any answer; the branch is short-circuited below when unchanged.
  const version = useSyncExternalStore(
    store.subscribe,
    () => store.version,
    () => store.version,
  );
  return useMemo(() => {
    if (!history) return [];
    void version;
    return branchTo(history, history.currentId).map((message) => {
      const stream = store.get(message.id);
      const content =
        stream && stream.content.length >= message.content.length ? stream.content : message.content;
      const done = message.role !== 'assistant' || message.done !== false || stream?.done === true;
      const errorText = message.error?.content ?? stream?.error;
      return {
        ...message,
        content,
        streaming: !done && !stopped.has(message.id) && !errorText,
        errorText: errorText || undefined,
        // A delta's sources are the same JSON (a ListValue's JSON form); readCitations checks the shape.
        sources: message.sources ?? (stream?.sources as ChatMessage['sources']),
      };
    });
  }, [history, store, version, stopped]);
}

/**
 * One chat: its document, the actions on its message tree, and live updates. With `chatId` null it is
 * a draft: nothing exists on the server until the first `send`, which creates the chat, saves the
 * message and then calls `onCreated` with the new id (so a "New chat" that is never used leaves no
 * empty chat behind).
 */
export function useConversation(chatId: string | null, onCreated?: (id: string) => void) {
  const api = useApi();
  const queryClient = useQueryClient();
  const connection = useRealtime();
  const { resume, markStopped } = useCompletions();
  const key = conversationKeys.chat(chatId ?? '');

  const query = useQuery({
    queryKey: key,
    queryFn: async ({ signal }) => {
      const fetched = toConversation(await conversationApi.get(api, chatId!, signal));
      return mergeFetched(queryClient.getQueryData<Conversation>(key), fetched);
    },
    enabled: chatId !== null,
    staleTime: 0,
  });

  const setHistoryOf = useCallback(
    (id: string, update: (history: ChatHistory) => ChatHistory) =>
      queryClient.setQueryData<Conversation>(conversationKeys.chat(id), (data) =>
        data ? { ...data, history: update(data.history) } : data,
      ),
    [queryClient],
  );
  const setHistory = useCallback(
    (update: (history: ChatHistory) => ChatHistory) => {
      if (chatId !== null) setHistoryOf(chatId, update);
    },
    [setHistoryOf, chatId],
  );

  // The draft's chat, once created: a second try after a failed first message reuses it.
  const created = useRef<string | null>(null);
  const createChat = useCallback(
    async (model: string) => {
      const doc = await conversationApi.create(api, { title: DEFAULT_CHAT_TITLE, models: [model] });
      queryClient.setQueryData<Conversation>(conversationKeys.chat(doc.id), toConversation(doc));
      queryClient.setQueryData<ChatPages>(chatKeys.list(), (data) =>
        mergeChat(data, {
          id: doc.id,
          title: doc.title,
          created_at: doc.created_at,
          updated_at: doc.updated_at,
        }),
      );
      created.current = doc.id;
      return doc.id;
    },
    [api, queryClient],
  );

  // Answers still being written when the chat was opened (a reload mid-answer, another tab's).
  const resumed = useRef(new Set<string>());
  const history = query.data?.history;
  useEffect(() => {
    if (!history) return;
    const open = Object.values(history.messages)
      .filter((m) => m.role === 'assistant' && m.done === false && !m.error && !resumed.current.has(m.id))
      .map((m) => m.id);
    if (open.length === 0) return;
    open.forEach((id) => resumed.current.add(id));
    resume(open);
  }, [history, resume]);

  // Another tab (or the model gateway) changed this chat: fetch it again.
  const onChatUpdated = useCallback(
    (event: ServerEvent<'chat:updated'>) => {
      if (chatId !== null && event.chat?.id === chatId)
        void queryClient.invalidateQueries({ queryKey: conversationKeys.chat(chatId) });
    },
    [chatId, queryClient],
  );
  useServerEvent('chat:updated', onChatUpdated);

  // A delta for an answer of this chat that is not in the tree yet (started in another tab).
  const onCompletion = useCallback(
    (event: ServerEvent<'chat:completion'>) => {
      if (chatId === null || event.chat_id !== chatId || typeof event.message_id !== 'string') return;
      const data = queryClient.getQueryData<Conversation>(conversationKeys.chat(chatId));
      if (data && !data.history.messages[event.message_id] && !query.isFetching)
        void queryClient.invalidateQueries({ queryKey: conversationKeys.chat(chatId) });
    },
    [chatId, queryClient, query.isFetching],
  );
  useServerEvent('chat:completion', onCompletion);

  const startAnswerIn = useCallback(
    async (id: string, userMessage: ChatMessage, model: string, answerId = newId()) => {
      const setHistory = (update: (history: ChatHistory) => ChatHistory) => setHistoryOf(id, update);
      const base = queryClient.getQueryData<Conversation>(conversationKeys.chat(id))?.history;
      const branch = base ? branchTo(base, userMessage.id) : [userMessage];
      const collections = readMessageFiles(userMessage)
        .filter((f) => f.type === 'collection')
        .map(({ type, id, name }) => ({ type, id, name }));
      setHistory((h) =>
        withMessage(h, {
          id: answerId,
          parentId: userMessage.id,
          childrenIds: [],
          role: 'assistant',
          content: '',
          model,
          done: false,
          timestamp: Math.floor(Date.now() / 1000),
        }),
      );
      try {
        await conversationApi.complete(api, {
          model,
          // Files travel on their user messages (Open WebUI's shape); model-gateway turns images into image
          // parts and documents into context (docs/files-in-chats.md).
          messages: branch.map((m) => {
            const files = readMessageFiles(m);
            return { role: m.role, content: m.content, ...(files.length > 0 ? { files } : {}) };
          }),
          // Knowledge bases picked with `#` also go in the completion's own `files` (Open WebUI's form).
          ...(collections.length > 0 ? { files: collections } : {}),
          chat_id: id,
          id: answerId,
          parent_id: userMessage.id,
          ...(connection?.id ? { session_id: connection.id } : {}),
        });
      } catch (error) {
        setHistory((h) => {
          const m = h.messages[answerId];
          return m ? withMessage(h, { ...m, done: true, error: { content: describe(error) } }, false) : h;
        });
        throw error;
      }
    },
    [api, connection, queryClient, setHistoryOf],
  );
  const startAnswer = useCallback(
    (userMessage: ChatMessage, model: string, answerId?: string) =>
      chatId === null ? Promise.resolve() : startAnswerIn(chatId, userMessage, model, answerId),
    [chatId, startAnswerIn],
  );

  const send = useCallback(
    async (content: string, model: string, files: readonly MessageFile[] = []) => {
      const id = chatId ?? created.current ?? (await createChat(model));
      const data = queryClient.getQueryData<Conversation>(conversationKeys.chat(id));
      const parentId = data?.history.currentId ?? null;
      const draft = {
        id: newId(),
        role: 'user',
        content,
        models: [model],
        timestamp: Math.floor(Date.now() / 1000),
        // Open WebUI's `files` on the user message; the chat service keeps it with the message.
        ...(files.length > 0 ? { files: [...files] } : {}),
      };
      const result = await conversationApi.addMessage(api, id, parentId, draft);
      // Remember the model on the chat (Open WebUI's `chat.models`), as a reload preselects it.
      if (data && data.models[0] !== model) {
        queryClient.setQueryData<Conversation>(conversationKeys.chat(id), (d) =>
          d ? { ...d, models: [model] } : d,
        );
        void conversationApi.update(api, id, { models: [model] }).catch(() => undefined);
      }
      const userMessage: ChatMessage = result.message ?? { ...draft, parentId, childrenIds: [] };
      setHistoryOf(id, (h) => withMessage(h, userMessage));
      // The draft became a chat with its first message saved: show it under its own address now.
      if (chatId === null) onCreated?.(id);
      await startAnswerIn(id, userMessage, model);
    },
    [api, chatId, createChat, onCreated, queryClient, setHistoryOf, startAnswerIn],
  );

  const editAndResend = useCallback(
    async (message: ChatMessage, content: string, model: string) => {
      if (chatId === null) return;
      const result = await conversationApi.edit(api, chatId, message.id, content, newId());
      const edited = result.message;
      if (!edited) return;
      setHistory((h) => withMessage(h, edited));
      await startAnswer(edited, model);
    },
    [api, chatId, setHistory, startAnswer],
  );

  const regenerate = useCallback(
    async (answer: ChatMessage, model: string) => {
      if (chatId === null) return;
      const data = queryClient.getQueryData<Conversation>(conversationKeys.chat(chatId));
      const parent = answer.parentId ? data?.history.messages[answer.parentId] : undefined;
      if (!parent) return;
      const id = newId();
      const result = await conversationApi.regenerate(api, chatId, answer.id, model, id);
      if (result.message) setHistory((h) => withMessage(h, { ...result.message!, done: false }));
      await startAnswer(parent, model, id);
    },
    [api, chatId, queryClient, setHistory, startAnswer],
  );

  const switchTo = useCallback(
    async (messageId: string) => {
      if (chatId === null) return;
      setHistory((h) => ({ ...h, currentId: newestLeafBelow(h, messageId) }));
      const reply = await conversationApi.switchBranch(api, chatId, messageId);
      if (reply.current_id) setHistory((h) => ({ ...h, currentId: reply.current_id }));
    },
    [api, chatId, setHistory],
  );

  const rate = useCallback(
    async (message: ChatMessage, rating: -1 | 0 | 1) => {
      if (chatId === null) return;
      setHistory((h) => withMessage(h, { ...message, annotation: { ...message.annotation, rating } }, false));
      const result = await conversationApi.rate(api, chatId, message.id, rating);
      if (result.message) setHistory((h) => withMessage(h, result.message!, false));
    },
    [api, chatId, setHistory],
  );

  const stop = useCallback(
    async (streamingIds: string[]) => {
      markStopped(streamingIds);
      if (chatId !== null) await conversationApi.stopChat(api, chatId);
    },
    [api, chatId, markStopped],
  );

  return { query, send, answer: startAnswer, editAndResend, regenerate, switchTo, rate, stop };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `chat:title` puts the generated title into the open chat and the sidebar list. */
export function useTitleUpdates() {
  const queryClient = useQueryClient();
  const onTitle = useCallback(
    (event: ServerEvent<'chat:title'>) => {
      const { id, title } = event.chat ?? {};
      if (typeof id !== 'string' || typeof title !== 'string') return;
      queryClient.setQueryData<Conversation>(conversationKeys.chat(id), (data) =>
        data ? { ...data, title } : data,
      );
      queryClient.setQueryData<ChatPages>(chatKeys.list(), (data) => {
        const existing = data?.pages.flat().find((c) => c.id === id);
        return existing ? mergeChat(data, { ...existing, title }) : data;
      });
    },
    [queryClient],
  );
  useServerEvent('chat:title', onTitle);
}
