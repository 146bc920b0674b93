import { randomUUID } from 'node:crypto';
import { startStack, Stack } from '@parley/testing';
import { request, signUp, SignedUp } from './support/http';
import { connectSocket, RecordingSocket, waitFor } from './support/sockets';

interface ChatResponse {
  id: string;
  user_id: string;
  title: string;
  chat: {
    history: {
      currentId: string | null;
      messages: Record<string, { parentId: string | null; content: string; childrenIds: string[] }>;
    };
    messages: Array<{ id: string }>;
  };
  share_id: string | null;
  pinned: boolean;
  archived: boolean;
  folder_id: string | null;
  meta: { tags: string[] };
  created_at: number;
  updated_at: number;
}

/**
 * Chat history through the gateway's Open WebUI paths, with two copies of gateway and chat: each
 * request may land on either copy, so nothing may depend on state kept in a process.
 */
describe('chat history through two gateway and chat copies', () => {
  let stack: Stack;
  let a: string;
  let b: string;
  let ada: SignedUp;
  let bob: SignedUp;
  const sockets: RecordingSocket[] = [];

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 2, realtime: 1, gateway: 2 },
      env: { DEFAULT_USER_ROLE: 'user' },
    });
    [a, b] = stack.gatewayUrls as [string, string];
    ada = await signUp(a, 'Ada', `ada-${randomUUID()}@example.com`);
    bob = await signUp(b, 'Bob', `bob-${randomUUID()}@example.com`);
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await stack?.stop();
  });

  const as = (user: SignedUp) => ({ token: user.token });
  const newChat = async (title: string, user = ada) =>
    (await request<ChatResponse>(a, 'POST', '/api/v1/chats/new', { ...as(user), body: { chat: { title } } }))
      .body;

  it("builds a branching conversation over REST and answers Open WebUI's chat shape", async () => {
    const chat = await newChat('Branches');
    const q = await request(b, 'POST', `/api/v1/chats/${chat.id}/messages`, {
      ...as(ada),
      body: { parent_id: null, message: { id: 'q', role: 'user', content: 'hello' } },
    });
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ chat_id: chat.id, current_id: 'q', message: { id: 'q', parentId: null } });
    await request(a, 'POST', `/api/v1/chats/${chat.id}/messages`, {
      ...as(ada),
      body: { parent_id: 'q', message: { id: 'a1', role: 'assistant', content: 'hi' } },
    });
    const regen = await request(b, 'POST', `/api/v1/chats/${chat.id}/messages/a1/regenerate`, {
      ...as(ada),
      body: { id: 'a2', model: 'm' },
    });
    expect(regen.body).toMatchObject({ current_id: 'a2', message: { parentId: 'q', content: '' } });
    const rated = await request(a, 'POST', `/api/v1/chats/${chat.id}/messages/a1/rate`, {
      ...as(ada),
      body: { rating: 1, comment: 'good' },
    });
    expect(rated.body).toMatchObject({ message: { annotation: { rating: 1, comment: 'good' } } });
    const switched = await request(b, 'POST', `/api/v1/chats/${chat.id}/messages/a1/switch`, {
      ...as(ada),
      body: {},
    });
    expect(switched.body).toEqual({ chat_id: chat.id, current_id: 'a1' });
    const opened = await request<ChatResponse>(a, 'GET', `/api/v1/chats/${chat.id}`, as(ada));
    expect(opened.body).toMatchObject({
      id: chat.id,
      user_id: ada.id,
      title: 'Branches',
      share_id: null,
      pinned: false,
      archived: false,
      folder_id: null,
      meta: { tags: [] },
    });
    expect(opened.body.chat.history.messages.q!.childrenIds).toEqual(['a1', 'a2']);
    expect(opened.body.chat.messages.map((m) => m.id)).toEqual(['q', 'a1']);
    const other = await request(b, 'POST', `/api/v1/chats/${chat.id}/messages`, {
      ...as(bob),
      body: { message: { role: 'user', content: 'intrusion' } },
    });
    expect(other).toMatchObject({ status: 404, body: { detail: 'No such chat.' } });
  });

  it("pushes chat:updated to the owner's socket when a message is added on the other copy", async () => {
    const chat = await newChat('Live');
    const socket = await connectSocket(a, ada.token);
    sockets.push(socket);
    await request(b, 'POST', `/api/v1/chats/${chat.id}/messages`, {
      ...as(ada),
      body: { message: { id: 'live', role: 'user', content: 'x' } },
    });
    await waitFor(
      () =>
        socket.events.some(
          (e) => e.name === 'chat:updated' && (e.payload as { message_id?: string }).message_id === 'live',
        ),
      5_000,
      'chat:updated on the socket',
    );
  });

  it("tags, pins, folders, archives and searches with Open WebUI's paths", async () => {
    const chat = await newChat('Helm upgrade notes');
    const tags = await request(a, 'POST', `/api/v1/chats/${chat.id}/tags`, {
      ...as(ada),
      body: { name: 'Ops' },
    });
    expect(tags.body).toEqual([{ id: 'ops', name: 'Ops', user_id: ada.id, meta: {} }]);
    expect((await request(b, 'GET', '/api/v1/chats/all/tags', as(ada))).body).toEqual(tags.body);
    const byTag = await request<Array<{ id: string }>>(a, 'POST', '/api/v1/chats/tags', {
      ...as(ada),
      body: { name: 'ops' },
    });
    expect(byTag.body.map((c) => c.id)).toEqual([chat.id]);
    // List items carry what a sidebar row shows (tag names, sharing), so it asks nothing per row.
    const listed = await request<Array<{ id: string; tags: string[]; share_id: string | null }>>(
      b,
      'GET',
      '/api/v1/chats/?page=1',
      as(ada),
    );
    expect(listed.body.find((c) => c.id === chat.id)).toMatchObject({ tags: ['Ops'], share_id: null });

    const pinned = await request<ChatResponse>(b, 'POST', `/api/v1/chats/${chat.id}/pin`, as(ada));
    expect(pinned.body.pinned).toBe(true);
    expect(
      (await request<Array<{ id: string }>>(a, 'GET', '/api/v1/chats/pinned', as(ada))).body.map((c) => c.id),
    ).toEqual([chat.id]);

    const folder = await request<{ id: string; name: string; parent_id: null }>(
      a,
      'POST',
      '/api/v1/folders/',
      {
        ...as(ada),
        body: { name: 'Infra' },
      },
    );
    expect(folder.body).toMatchObject({
      name: 'Infra',
      parent_id: null,
      user_id: ada.id,
      is_expanded: false,
    });
    const moved = await request<ChatResponse>(b, 'POST', `/api/v1/chats/${chat.id}/folder`, {
      ...as(ada),
      body: { folder_id: folder.body.id },
    });
    expect(moved.body).toMatchObject({ folder_id: folder.body.id, pinned: false });
    const inFolder = await request<Array<{ id: string }>>(
      a,
      'GET',
      `/api/v1/chats/folder/${folder.body.id}/list`,
      as(ada),
    );
    expect(inFolder.body.map((c) => c.id)).toEqual([chat.id]);
    expect((await request(b, 'GET', `/api/v1/folders/${folder.body.id}`, as(bob))).status).toBe(404);

    const found = await request<Array<{ id: string }>>(
      a,
      'GET',
      `/api/v1/chats/search?text=${encodeURIComponent('helm tag:ops folder:infra')}`,
      as(ada),
    );
    expect(found.body.map((c) => c.id)).toEqual([chat.id]);
    expect((await request<unknown[]>(b, 'GET', '/api/v1/chats/search?text=helm', as(bob))).body).toEqual([]);

    const archived = await request<ChatResponse>(b, 'POST', `/api/v1/chats/${chat.id}/archive`, as(ada));
    expect(archived.body.archived).toBe(true);
    expect(
      (await request<Array<{ id: string }>>(a, 'GET', '/api/v1/chats/archived', as(ada))).body.map(
        (c) => c.id,
      ),
    ).toContain(chat.id);

    expect(
      (await request(a, 'DELETE', `/api/v1/folders/${folder.body.id}?delete_contents=false`, as(ada))).body,
    ).toBe(true);
    expect(
      (await request<ChatResponse>(b, 'GET', `/api/v1/chats/${chat.id}`, as(ada))).body.folder_id,
    ).toBeNull();
  });

  it('shares a snapshot that another user can read and clone, and unsharing ends it', async () => {
    const chat = await newChat('To share');
    await request(a, 'POST', `/api/v1/chats/${chat.id}/messages`, {
      ...as(ada),
      body: { message: { id: 'm', role: 'user', content: 'original' } },
    });
    const shared = await request<ChatResponse>(b, 'POST', `/api/v1/chats/${chat.id}/share`, as(ada));
    const shareId = shared.body.share_id!;
    expect(shareId).toEqual(expect.any(String));
    await request(a, 'POST', `/api/v1/chats/${chat.id}/messages/m`, {
      ...as(ada),
      body: { content: 'changed later' },
    });
    const seen = await request<ChatResponse>(a, 'GET', `/api/v1/chats/share/${shareId}`, as(bob));
    expect(seen.status).toBe(200);
    expect(seen.body.chat.history.messages.m!.content).toBe('original');
    expect((await request(b, 'GET', `/api/v1/chats/${chat.id}`, as(bob))).status).toBe(404);
    const clone = await request<ChatResponse>(b, 'POST', `/api/v1/chats/${shareId}/clone/shared`, as(bob));
    expect(clone.body).toMatchObject({ user_id: bob.id, title: 'Clone of To share' });
    expect((await request(a, 'DELETE', `/api/v1/chats/${chat.id}/share`, as(ada))).body).toBe(true);
    expect((await request(b, 'GET', `/api/v1/chats/share/${shareId}`, as(bob))).status).toBe(404);
    expect((await request(a, 'GET', '/api/v1/chats/share/whatever', {})).status).toBe(401);
  });

  it('exports all chats as streamed NDJSON that imports again without duplicates', async () => {
    const carol = await signUp(a, 'Carol', `carol-${randomUUID()}@example.com`);
    for (let i = 0; i < 3; i++) await newChat(`export ${i}`, carol);
    const res = await fetch(`${b}/api/v1/chats/all`, { headers: { authorization: `Bearer ${carol.token}` } });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ChatResponse);
    expect(lines.map((c) => c.title)).toEqual(['export 0', 'export 1', 'export 2']);
    const again = await request<unknown[]>(a, 'POST', '/api/v1/chats/import', {
      ...as(carol),
      body: { chats: lines },
    });
    expect(again).toMatchObject({ status: 200, body: [] });
    const dave = await signUp(b, 'Dave', `dave-${randomUUID()}@example.com`);
    const copied = await request<ChatResponse[]>(b, 'POST', '/api/v1/chats/import', {
      ...as(dave),
      body: lines,
    });
    expect(copied.body.map((c) => c.title)).toEqual(['export 0', 'export 1', 'export 2']);
    expect(copied.body.every((c) => c.user_id === dave.id)).toBe(true);
  });

  it("updates, deletes one chat and then all, answering Open WebUI's booleans", async () => {
    const eve = await signUp(a, 'Eve', `eve-${randomUUID()}@example.com`);
    const chat = await newChat('Before', eve);
    const updated = await request<ChatResponse>(b, 'POST', `/api/v1/chats/${chat.id}`, {
      ...as(eve),
      body: { chat: { title: 'After' } },
    });
    expect(updated.body.title).toBe('After');
    expect((await request(a, 'DELETE', `/api/v1/chats/${chat.id}`, as(eve))).body).toBe(true);
    expect((await request(b, 'GET', `/api/v1/chats/${chat.id}`, as(eve))).status).toBe(404);
    await newChat('one', eve);
    await newChat('two', eve);
    expect((await request(b, 'DELETE', '/api/v1/chats/', as(eve))).body).toBe(true);
    expect((await request(a, 'GET', '/api/v1/chats/?page=1', as(eve))).body).toEqual([]);
  });

  it('answers bad input with a 4xx and a detail that states the limit, never a 500', async () => {
    const chat = await newChat('limits');
    const cases = [
      request(a, 'POST', `/api/v1/chats/${chat.id}/messages`, { ...as(ada), body: { message: 'text' } }),
      request(a, 'POST', `/api/v1/chats/${chat.id}/messages/x/rate`, { ...as(ada), body: { rating: 7 } }),
      request(a, 'GET', '/api/v1/chats/search', as(ada)),
      request(a, 'GET', '/api/v1/chats/?include_pinned=maybe', as(ada)),
      request(a, 'POST', `/api/v1/chats/${chat.id}/tags`, { ...as(ada), body: { name: 'x'.repeat(200) } }),
      request(a, 'POST', '/api/v1/folders/', { ...as(ada), body: { name: '' } }),
      request(a, 'POST', '/api/v1/chats/import', {
        ...as(ada),
        body: { chats: [{ chat: { history: [] } }] },
      }),
      request(a, 'POST', `/api/v1/chats/${chat.id}/messages`, {
        ...as(ada),
        body: { message: { role: 'user', content: 'x'.repeat(1_100_000) } },
      }),
      request(a, 'DELETE', '/api/v1/folders/not-a-folder', as(ada)),
      request(a, 'POST', `/api/v1/chats/${chat.id}/messages/ghost/edit`, {
        ...as(ada),
        body: { content: 'x' },
      }),
    ];
    const results = await Promise.all(cases);
    for (const result of results) {
      expect(result.status).toBeGreaterThanOrEqual(400);
      expect(result.status).toBeLessThan(500);
      expect(result.body).toEqual({ detail: expect.any(String), code: expect.any(String) });
    }
    expect(results[4]!.body).toEqual({
      detail: 'A tag is longer than the limit of 100 characters.',
      code: expect.any(String),
    });
    expect(results[7]).toMatchObject({
      status: 413,
      body: { detail: 'A message is larger than the limit of 1000000 bytes.' },
    });
  });
});
