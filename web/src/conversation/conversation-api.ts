import type { ApiClient, components } from '../api';
import type {
  ChatDocumentResponse,
  ChatMessage,
  CompletionStarted,
  MessageResult,
} from './conversation-types';

const chat = (id: string) => `/api/v1/chats/${encodeURIComponent(id)}`;
const message = (chatId: string, messageId: string) =>
  `${chat(chatId)}/messages/${encodeURIComponent(messageId)}`;

/** What the app sends to `/api/chat/completions` for a chat: it runs as a task (docs/chat-tasks.md). */
export type CompletionRequest = components['schemas']['ChatCompletionRequest'] & {
  chat_id: string;
  id: string;
};

export const conversationApi = {
  /** A chat with no messages yet (the draft's first message creates it; Open WebUI's `/chats/new`). */
  create: (api: ApiClient, chat: { title: string; models: string[] }) =>
    api.post<ChatDocumentResponse>('/api/v1/chats/new', { body: { chat } }),
  get: (api: ApiClient, id: string, signal?: AbortSignal) =>
    api.get<ChatDocumentResponse>(chat(id), signal ? { signal } : {}),
  addMessage: (api: ApiClient, chatId: string, parentId: string | null, msg: Partial<ChatMessage>) =>
    api.post<MessageResult>(`${chat(chatId)}/messages`, { body: { parent_id: parentId, message: msg } }),
  edit: (api: ApiClient, chatId: string, messageId: string, content: string, newId: string) =>
    api.post<MessageResult>(`${message(chatId, messageId)}/edit`, { body: { content, id: newId } }),
  regenerate: (api: ApiClient, chatId: string, messageId: string, model: string, newId: string) =>
    api.post<MessageResult>(`${message(chatId, messageId)}/regenerate`, { body: { model, id: newId } }),
  switchBranch: (api: ApiClient, chatId: string, messageId: string) =>
    api.post<{ chat_id: string; current_id: string | null }>(`${message(chatId, messageId)}/switch`, {
      body: {},
    }),
  rate: (api: ApiClient, chatId: string, messageId: string, rating: -1 | 0 | 1) =>
    api.post<MessageResult>(`${message(chatId, messageId)}/rate`, { body: { rating } }),
  complete: (api: ApiClient, body: CompletionRequest) =>
    api.post<CompletionStarted>('/api/chat/completions', { body: { ...body, stream: true } }),
  stopChat: (api: ApiClient, chatId: string) =>
    api.post<unknown>(`/api/tasks/chat/${encodeURIComponent(chatId)}/stop`),
  update: (api: ApiClient, chatId: string, fields: Record<string, unknown>) =>
    api.post<ChatDocumentResponse>(chat(chatId), { body: { chat: fields } }),
};

/** A v4 uuid; `crypto.randomUUID` exists only in secure contexts (not plain http on a LAN address). */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
