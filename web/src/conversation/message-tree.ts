import type { ChatHistory, ChatMessage } from './conversation-types';

/** The messages from the root down to `leafId`, in order. Stops on a cycle or a missing parent. */
export function branchTo(history: ChatHistory, leafId: string | null): ChatMessage[] {
  const path: ChatMessage[] = [];
  const seen = new Set<string>();
  let id = leafId;
  while (id && !seen.has(id)) {
    seen.add(id);
    const message = history.messages[id];
    if (!message) break;
    path.push(message);
    id = message.parentId;
  }
  return path.reverse();
}

/** The ids of a message's siblings including itself, in creation order (the roots for a root). */
export function siblingsOf(history: ChatHistory, message: ChatMessage): string[] {
  if (message.parentId) {
    const parent = history.messages[message.parentId];
    if (parent) return parent.childrenIds.filter((id) => id in history.messages);
  }
  return Object.values(history.messages)
    .filter((m) => !m.parentId)
    .sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))
    .map((m) => m.id);
}

/** The newest leaf below `id` (following the last child), as the server's switch does. */
export function newestLeafBelow(history: ChatHistory, id: string): string {
  let current = id;
  const seen = new Set<string>();
  for (;;) {
    seen.add(current);
    const children = history.messages[current]?.childrenIds.filter((c) => c in history.messages) ?? [];
    const last = children[children.length - 1];
    if (!last || seen.has(last)) return current;
    current = last;
  }
}

/** A copy of the history with `message` added or replaced, linked under its parent, and made current. */
export function withMessage(history: ChatHistory, message: ChatMessage, makeCurrent = true): ChatHistory {
  const messages = { ...history.messages };
  const previous = messages[message.id];
  messages[message.id] = { ...message, childrenIds: previous?.childrenIds ?? message.childrenIds ?? [] };
  if (message.parentId) {
    const parent = messages[message.parentId];
    if (parent && !parent.childrenIds.includes(message.id))
      messages[message.parentId] = { ...parent, childrenIds: [...parent.childrenIds, message.id] };
  }
  return { messages, currentId: makeCurrent ? message.id : history.currentId };
}

export const emptyHistory = (): ChatHistory => ({ messages: {}, currentId: null });

/** Reads `chat.history` defensively: anything malformed becomes an empty tree. */
export function readHistory(value: unknown): ChatHistory {
  if (typeof value !== 'object' || value === null) return emptyHistory();
  const { messages, currentId } = value as { messages?: unknown; currentId?: unknown };
  if (typeof messages !== 'object' || messages === null) return emptyHistory();
  const result: Record<string, ChatMessage> = {};
  for (const [id, raw] of Object.entries(messages as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null) continue;
    const m = raw as Partial<ChatMessage>;
    result[id] = {
      ...m,
      id,
      parentId: typeof m.parentId === 'string' ? m.parentId : null,
      childrenIds: Array.isArray(m.childrenIds) ? m.childrenIds.filter((c) => typeof c === 'string') : [],
      role: typeof m.role === 'string' ? m.role : 'user',
      content: typeof m.content === 'string' ? m.content : '',
    };
  }
  return { messages: result, currentId: typeof currentId === 'string' ? currentId : null };
}
