import type { InfiniteData } from '@tanstack/react-query';
import type { ChatListItem } from '../api';

export type ChatPages = InfiniteData<ChatListItem[], number>;

export const chatKeys = {
  all: ['chats'] as const,
  list: () => [...chatKeys.all, 'list'] as const,
  pinned: () => [...chatKeys.all, 'pinned'] as const,
  search: (text: string) => [...chatKeys.all, 'search', text] as const,
  folders: () => [...chatKeys.all, 'folders'] as const,
  folder: (id: string) => [...chatKeys.all, 'folder', id] as const,
  archived: () => [...chatKeys.all, 'archived'] as const,
  tags: (id: string) => [...chatKeys.all, 'tags', id] as const,
  meta: (id: string) => [...chatKeys.all, 'meta', id] as const,
};

const newestFirst = (a: ChatListItem, b: ChatListItem) => b.updated_at - a.updated_at;

/**
 * Puts one chat into the cached pages without a refetch. The same chat can
 * arrive twice (our own POST response and the socket echo of it, or two
 * events): it is kept once, in newest-first position on the first page.
 * Returns the same object when nothing changed, so nothing re-renders.
 */
export function mergeChat(data: ChatPages | undefined, chat: ChatListItem): ChatPages | undefined {
  // Nothing loaded yet: the list fetch that is on its way will include it.
  if (!data || data.pages.length === 0) return data;

  const existing = data.pages.flat().find((item) => item.id === chat.id);
  if (existing && existing.title === chat.title && existing.updated_at >= chat.updated_at) return data;

  const merged = existing
    ? { ...existing, ...chat, updated_at: Math.max(existing.updated_at, chat.updated_at) }
    : chat;
  const pages = data.pages.map((page) => page.filter((item) => item.id !== chat.id));
  pages[0] = [...(pages[0] ?? []), merged].sort(newestFirst);
  return { ...data, pages };
}

/** Flattens pages for display; later pages can repeat a row that moved up since they were fetched. */
export function flattenChats(data: Pick<ChatPages, 'pages'> | undefined): ChatListItem[] {
  if (!data) return [];
  const seen = new Set<string>();
  const result: ChatListItem[] = [];
  for (const item of data.pages.flat()) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    result.push(item);
  }
  return result;
}

/** The pages without one chat; the same object when it was not there. */
export function removeChat(data: ChatPages | undefined, id: string): ChatPages | undefined {
  if (!data || !data.pages.some((page) => page.some((item) => item.id === id))) return data;
  return { ...data, pages: data.pages.map((page) => page.filter((item) => item.id !== id)) };
}

/** A flat list (the pinned chats) with one chat put in, newest first, or taken out. */
export function upsertInList(list: ChatListItem[] | undefined, chat: ChatListItem, keep: boolean) {
  if (!list) return list;
  const rest = list.filter((item) => item.id !== chat.id);
  if (!keep) return rest.length === list.length ? list : rest;
  return [...rest, chat].sort(newestFirst);
}
