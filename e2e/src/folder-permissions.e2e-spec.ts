import { randomUUID } from 'node:crypto';
import { startStack, Stack } from '@parley/testing';
import { request, signUp } from './support/http';

/** Every DELETE route of the chat and folder controllers, by whether it removes chats or messages. */
const DELETES_CHATS = [
  '/api/v1/chats',
  '/api/v1/chats/:id',
  '/api/v1/chats/:id/messages/:message_id',
  '/api/v1/folders/:id',
];
const REMOVES_NO_CHAT = ['/api/v1/chats/:id/share', '/api/v1/chats/:id/tags'];

/**
 * The DELETE routes of chats and folders as the running gateway's /openapi.json declares them (the
 * route contracts, which a test in the gateway holds equal to what Nest serves), so a new one cannot
 * slip past this list.
 */
async function declaredDeleteRoutes(gateway: string): Promise<string[]> {
  const document = (await (await fetch(`${gateway}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths)
    .filter(([path, item]) => /^\/api\/v1\/(chats|folders)\//.test(path) && 'delete' in item)
    .map(([path]) => path.replace(/\{(\w+)\}/g, ':$1').replace(/\/$/, ''));
}

describe('routes that delete chats need chat.delete', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 1, gateway: 1 },
      env: { DEFAULT_USER_ROLE: 'user', USER_PERMISSIONS_CHAT_DELETE: 'false' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('knows every DELETE route the chat and folder contracts declare', async () => {
    expect((await declaredDeleteRoutes(stack.gatewayUrls[0]!)).sort()).toEqual(
      [...DELETES_CHATS, ...REMOVES_NO_CHAT].sort(),
    );
  });

  it('refuses each of them with 403 for a user whose groups lack chat.delete, and deletes nothing', async () => {
    const gateway = stack.gatewayUrls[0]!;
    await signUp(gateway, 'Admin', `admin-${randomUUID()}@example.com`);
    const user = await signUp(gateway, 'User', `user-${randomUUID()}@example.com`);
    const folder = await request<{ id: string }>(gateway, 'POST', '/api/v1/folders/', {
      token: user.token,
      body: { name: 'Keep' },
    });
    expect(folder.status).toBe(200);
    const chat = await request<{ id: string }>(gateway, 'POST', '/api/v1/chats/new', {
      token: user.token,
      body: { chat: { title: 'in the folder' } },
    });
    expect(
      (
        await request(gateway, 'POST', `/api/v1/chats/${chat.body.id}/folder`, {
          token: user.token,
          body: { folder_id: folder.body.id },
        })
      ).status,
    ).toBe(200);
    const ids: Record<string, string> = { id: chat.body.id, message_id: randomUUID() };
    for (const route of DELETES_CHATS) {
      const path = route.replace(/:([a-z_]+)/g, (_, name: string) =>
        route.startsWith('/api/v1/folders') ? folder.body.id : ids[name]!,
      );
      const res = await request(gateway, 'DELETE', path, { token: user.token });
      expect({ route, status: res.status, body: res.body }).toEqual({
        route,
        status: 403,
        body: expect.objectContaining({ detail: expect.stringContaining('chat.delete') }),
      });
    }
    expect(
      (await request(gateway, 'GET', `/api/v1/chats/${chat.body.id}`, { token: user.token })).status,
    ).toBe(200);
    expect(
      (await request(gateway, 'GET', `/api/v1/folders/${folder.body.id}`, { token: user.token })).status,
    ).toBe(200);
  });
});
