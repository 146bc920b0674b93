import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api';
import { createFakeServer } from '../testing/fake-server';
import { chatsApi, nextChatPage } from './chats-api';

const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `c${i}`, title: `Chat ${i}`, created_at: 1, updated_at: 1 }));

describe('chat list paging', () => {
  it('takes the page size from the server’s X-Page-Size, not from a number of its own', async () => {
    const server = createFakeServer({
      'GET /api/v1/chats/?page=1': { body: rows(7), headers: { 'X-Page-Size': '7' } },
      'GET /api/v1/chats/?page=2': { body: rows(3), headers: { 'X-Page-Size': '7' } },
    });
    const api = new ApiClient({ fetch: server.fetch });

    const first = await chatsApi.list(api, 1);
    expect(first).toHaveLength(7);
    expect(nextChatPage(first, 1)).toBe(2);

    const second = await chatsApi.list(api, 2);
    expect(nextChatPage(second, 2)).toBeUndefined();
  });
});
