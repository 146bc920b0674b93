import { randomUUID } from 'node:crypto';
import { startStack, Stack } from '@parley/testing';
import { request, signUp } from './support/http';

/** Group permissions from the auth service apply to chat actions at the gateway. */
describe('chat permissions', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 1, gateway: 2 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        USER_PERMISSIONS_CHAT_DELETE: 'false',
        USER_PERMISSIONS_CHAT_SHARE: 'false',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses delete and share without the permission, allows them once a group grants it, on every copy', async () => {
    const [a, b] = stack.gatewayUrls as [string, string];
    const admin = await signUp(a, 'Admin', `admin-${randomUUID()}@example.com`);
    const user = await signUp(a, 'User', `user-${randomUUID()}@example.com`);
    const chat = await request<{ id: string }>(a, 'POST', '/api/v1/chats/new', {
      token: user.token,
      body: { chat: { title: 'keep me' } },
    });
    const denied = await request(b, 'DELETE', `/api/v1/chats/${chat.body.id}`, { token: user.token });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      detail: 'You do not have the permission "chat.delete"; ask an administrator.',
      code: expect.any(String),
    });
    expect(
      (await request(a, 'POST', `/api/v1/chats/${chat.body.id}/share`, { token: user.token })).status,
    ).toBe(403);
    // Reading and editing are still allowed.
    expect((await request(b, 'GET', `/api/v1/chats/${chat.body.id}`, { token: user.token })).status).toBe(
      200,
    );
    // Admins have every permission.
    const own = await request<{ id: string }>(a, 'POST', '/api/v1/chats/new', {
      token: admin.token,
      body: { chat: { title: 'admin' } },
    });
    expect((await request(a, 'DELETE', `/api/v1/chats/${own.body.id}`, { token: admin.token })).status).toBe(
      200,
    );

    const group = await request(a, 'POST', '/api/v1/groups/create', {
      token: admin.token,
      body: { name: `deleters-${randomUUID()}`, permissions: { 'chat.delete': true }, user_ids: [user.id] },
    });
    expect(group.status).toBe(200);
    // The grant reaches every copy within a second (the permission cache is dropped on any group change).
    let status = 0;
    for (const started = Date.now(); status !== 200 && Date.now() - started < 1_000;) {
      status = (await request(b, 'DELETE', `/api/v1/chats/${chat.body.id}`, { token: user.token })).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(200);
    expect((await request(a, 'GET', `/api/v1/chats/${chat.body.id}`, { token: user.token })).status).toBe(
      404,
    );
  });
});
