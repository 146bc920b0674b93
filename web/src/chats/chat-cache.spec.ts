import { describe, expect, it } from 'vitest';
import type { ChatListItem } from '../api';
import { flattenChats, mergeChat, removeChat, upsertInList, type ChatPages } from './chat-cache';

const chat = (id: string, updated_at: number, title = id): ChatListItem => ({
  id,
  title,
  updated_at,
  created_at: 1,
});
const pages = (...p: ChatListItem[][]): ChatPages => ({ pages: p, pageParams: p.map((_, i) => i + 1) });

describe('mergeChat', () => {
  it('inserts a new chat in newest-first position on the first page', () => {
    const result = mergeChat(pages([chat('b', 30), chat('a', 10)]), chat('n', 20));
    expect(result?.pages[0]?.map((c) => c.id)).toEqual(['b', 'n', 'a']);
  });

  it('returns the same object for a chat it already has unchanged', () => {
    const data = pages([chat('a', 10)]);
    expect(mergeChat(data, chat('a', 10))).toBe(data);
  });

  it('moves a chat from a later page to the first when it is updated', () => {
    const result = mergeChat(pages([chat('b', 30)], [chat('a', 10)]), chat('a', 40, 'renamed'));
    expect(result?.pages).toEqual([[chat('a', 40, 'renamed'), chat('b', 30)], []]);
  });

  it('leaves an unloaded cache alone', () => {
    expect(mergeChat(undefined, chat('a', 1))).toBeUndefined();
  });
});

describe('flattenChats', () => {
  it('drops a repeated row that a later page still holds', () => {
    expect(
      flattenChats(pages([chat('a', 2), chat('b', 1)], [chat('b', 1), chat('c', 0)])).map((c) => c.id),
    ).toEqual(['a', 'b', 'c']);
  });
});

describe('removeChat and upsertInList', () => {
  it('takes a chat out of every page, and leaves the data alone when it was not there', () => {
    const data = pages([chat('a', 3), chat('b', 2)], [chat('c', 1)]);
    expect(removeChat(data, 'c')?.pages).toEqual([[chat('a', 3), chat('b', 2)], []]);
    expect(removeChat(data, 'zzz')).toBe(data);
  });

  it('puts a chat into a flat list newest first, or takes it out', () => {
    const list = [chat('a', 3), chat('b', 1)];
    expect(upsertInList(list, chat('n', 2), true)?.map((c) => c.id)).toEqual(['a', 'n', 'b']);
    expect(upsertInList(list, chat('a', 3), false)?.map((c) => c.id)).toEqual(['b']);
    expect(upsertInList(list, chat('x', 3), false)).toBe(list);
  });
});
