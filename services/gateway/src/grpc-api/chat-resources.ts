import type { MessageInitShape } from '@bufbuild/protobuf';
import { apiV1Chats, chatV1 } from '@parley/proto';

type ChatInit = MessageInitShape<typeof apiV1Chats.ChatSchema>;
type MessageInit = MessageInitShape<typeof apiV1Chats.MessageSchema>;

/** An Open WebUI message as the chat service stores it (a node of `history.messages`). */
interface StoredMessage {
  id?: unknown;
  parentId?: unknown;
  role?: unknown;
  content?: unknown;
  model?: unknown;
  timestamp?: unknown;
  done?: unknown;
  error?: unknown;
}

interface ChatDocument {
  history?: { messages?: Record<string, StoredMessage>; currentId?: unknown };
}

const ROLES: Record<string, apiV1Chats.Role> = {
  system: apiV1Chats.Role.SYSTEM,
  user: apiV1Chats.Role.USER,
  assistant: apiV1Chats.Role.ASSISTANT,
};

/** The role names of the OpenAI and Open WebUI formats. */
export function roleName(role: apiV1Chats.Role): 'system' | 'user' | 'assistant' | undefined {
  if (role === apiV1Chats.Role.SYSTEM) return 'system';
  if (role === apiV1Chats.Role.USER) return 'user';
  if (role === apiV1Chats.Role.ASSISTANT) return 'assistant';
  return undefined;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export function messageResource(stored: StoredMessage | Record<string, unknown>): MessageInit {
  const error =
    typeof stored.error === 'string'
      ? stored.error
      : text((stored.error as { content?: unknown } | null | undefined)?.content);
  return {
    id: text(stored.id),
    parentId: text(stored.parentId),
    role: ROLES[text(stored.role)] ?? apiV1Chats.Role.UNSPECIFIED,
    content: text(stored.content),
    model: text(stored.model),
    createTime: BigInt(
      typeof stored.timestamp === 'number' && Number.isSafeInteger(stored.timestamp) ? stored.timestamp : 0,
    ),
    // Open WebUI leaves `done` off user messages: only an answer still being written says false.
    done: stored.done !== false,
    error,
  };
}

/** JSON text the chat service wrote (a document, a message); anything else reads as empty. */
export function parseJsonObject(json: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(json || '{}');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export function parseChatDocument(chatJson: string): ChatDocument {
  return parseJsonObject(chatJson) as ChatDocument;
}

/** The id of the message the chat shows last, or '' in an empty chat. */
export function currentMessageId(document: ChatDocument): string {
  return text(document.history?.currentId);
}

/** The current thread: from the root to history.currentId, following parentId (a cycle ends the walk). */
export function currentThread(document: ChatDocument): StoredMessage[] {
  const messages = document.history?.messages ?? {};
  const thread: StoredMessage[] = [];
  const seen = new Set<string>();
  for (let id = currentMessageId(document); id && !seen.has(id);) {
    seen.add(id);
    const message = Object.hasOwn(messages, id) ? messages[id] : undefined;
    if (!message || typeof message !== 'object') break;
    thread.push({ ...message, id });
    id = text(message.parentId);
  }
  return thread.reverse();
}

export function chatResource(
  chat: chatV1.Chat | chatV1.ChatSummary | undefined,
  withMessages = false,
): ChatInit {
  const base: ChatInit = {
    name: `chats/${chat?.id ?? ''}`,
    id: chat?.id ?? '',
    title: chat?.title ?? '',
    createTime: chat?.createdAt ?? 0n,
    updateTime: chat?.updatedAt ?? 0n,
    pinned: chat?.pinned ?? false,
    archived: chat?.archived ?? false,
    tags: [...(chat?.tags ?? [])],
  };
  if (!withMessages || !chat || !('chatJson' in chat)) return base;
  const document = parseChatDocument(chat.chatJson);
  return {
    ...base,
    messages: currentThread(document).map(messageResource),
    currentMessageId: currentMessageId(document),
  };
}
