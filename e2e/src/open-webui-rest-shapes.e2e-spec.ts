import { randomUUID } from 'node:crypto';
import { FakeLlm, Stack, startFakeLlm, startStack } from '@parley/testing';
import { request, SignedUp, signUpsFrom } from './support/http';

type Json = Record<string, unknown>;
interface Session extends SignedUp {
  token_type: string;
  permissions: { chat: Json; workspace: Json; features: Json };
}

/**
 * Open WebUI's REST shapes, sent the way its frontend sends them (src/lib/apis/*) and checked for the
 * fields it reads, through two gateway copies (issue 16). Deliberate differences are in
 * docs/open-webui-compatibility.md; where one answers differently here, the test says so.
 */
describe("Open WebUI's REST shapes", () => {
  let stack: Stack;
  let ollama: FakeLlm;
  let a: string;
  let b: string;
  let admin: Session;
  let ada: Session;
  let bob: Session;
  const signUp = signUpsFrom('2001:db8:16::');

  beforeAll(async () => {
    ollama = await startFakeLlm({ models: ['llama-fake:latest'] });
    stack = await startStack({
      copies: { auth: 1, chat: 1, 'model-gateway': 1, gateway: 2 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        OLLAMA_BASE_URLS: ollama.url,
        DEFAULT_MODELS: 'llama-fake:latest',
        DEFAULT_PROMPT_SUGGESTIONS: JSON.stringify([
          { title: ['Help me', 'plan a trip'], content: 'Plan a trip' },
        ]),
      },
    });
    [a, b] = stack.gatewayUrls as [string, string];
    admin = (await signUp(a, 'Root')) as Session;
    ada = (await signUp(b, 'Ada')) as Session;
    bob = (await signUp(a, 'Bob')) as Session;
  });

  afterAll(async () => {
    await stack?.stop();
    await ollama?.close();
  });

  const get = <T = Json>(base: string, path: string, who?: SignedUp) =>
    request<T>(base, 'GET', path, who ? { token: who.token } : {});
  const post = <T = Json>(base: string, path: string, who: SignedUp, body?: unknown) =>
    request<T>(base, 'POST', path, { token: who.token, body });

  describe('auths', () => {
    it('answers sign-up and sign-in with a token and nested permissions', async () => {
      expect(ada).toMatchObject({ token_type: 'Bearer', permissions: { chat: { delete: true } } });
      expect(ada.permissions.workspace).toMatchObject({ models: false, knowledge: false });
      const signedIn = await request<Session>(b, 'POST', '/api/v1/auths/signin', {
        body: { email: ada.email, password: 'correct horse battery' },
        headers: { 'x-forwarded-for': '2001:db8:16::ff' },
      });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.permissions.chat).toMatchObject({ share: true, export: true, controls: true });
      expect(Object.keys(signedIn.body.permissions).filter((key) => key.includes('.'))).toEqual([]);
    });

    it('GET /api/v1/auths/ echoes the token it was called with, its type and nested permissions', async () => {
      const me = await get<Session & { expires_at: number | null }>(a, '/api/v1/auths/', ada);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: ada.id, token: ada.token, token_type: 'Bearer' });
      expect(me.body.expires_at).toBeGreaterThan(Date.now() / 1000);
      expect(me.body.permissions.chat.delete).toBe(true);
      const mine = await get<Session['permissions']>(b, '/api/v1/users/permissions', ada);
      expect(mine.body.chat.delete).toBe(true);
      expect(mine.body.workspace.models).toBe(false);
    });

    it('names the first admin to a pending user, who may ask before being approved', async () => {
      const pending = await request<Session>(a, 'POST', '/api/v1/auths/add', {
        token: admin.token,
        body: {
          name: 'Waiting',
          email: `waiting-${randomUUID()}@example.com`,
          password: 'correct horse battery',
        },
      });
      const signedIn = await request<Session>(b, 'POST', '/api/v1/auths/signin', {
        body: { email: pending.body.email, password: 'correct horse battery' },
        headers: { 'x-forwarded-for': '2001:db8:16::fe' },
      });
      expect(signedIn.body.role).toBe('pending');
      const details = await get<Json>(a, '/api/v1/auths/admin/details', signedIn.body);
      expect(details).toMatchObject({ status: 200, body: { name: 'Root', email: admin.email } });
    });

    it("adds a user for an admin without handing out that user's session (token is empty)", async () => {
      const added = await post<Json>(a, '/api/v1/auths/add', admin, {
        name: 'Added',
        email: `added-${randomUUID()}@example.com`,
        password: 'correct horse battery',
        role: 'user',
      });
      expect(added.status).toBe(200);
      expect(added.body).toMatchObject({ token: '', token_type: 'Bearer', role: 'user', name: 'Added' });
    });
  });

  describe('groups', () => {
    it("takes Open WebUI's nested permissions, answers them nested and grants them on both copies", async () => {
      const created = await post<{ id: string; permissions: Json }>(a, '/api/v1/groups/create', admin, {
        name: `builders-${randomUUID()}`,
        description: '',
      });
      expect(created.status).toBe(200);
      const permissions = {
        workspace: { models: true, knowledge: false, prompts: false, tools: false },
        chat: { controls: true, delete: true, share: true },
        features: { web_search: true },
      };
      const updated = await post<{ permissions: Json; user_ids: string[] }>(
        b,
        `/api/v1/groups/id/${created.body.id}/update`,
        admin,
        { name: 'Builders', description: '', permissions, user_ids: [bob.id] },
      );
      expect(updated.status).toBe(200);
      expect(updated.body.permissions).toEqual(permissions);
      expect(updated.body.user_ids).toEqual([bob.id]);
      const bobs = await get<Session['permissions']>(a, '/api/v1/users/permissions', bob);
      expect(bobs.body.workspace.models).toBe(true);
      // The flat names Parley's web app sends are still taken.
      const flat = await post<{ permissions: Json }>(
        a,
        `/api/v1/groups/id/${created.body.id}/update`,
        admin,
        {
          permissions: { 'workspace.knowledge': true },
        },
      );
      expect(flat.body.permissions).toEqual({ workspace: { knowledge: true } });
      const bad = await post<{ detail: string }>(b, `/api/v1/groups/id/${created.body.id}/update`, admin, {
        permissions: { workspace: { models: 'yes' } },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toContain('permissions.workspace.models must be true or false');
      const prototype = await request<{ detail: string }>(
        a,
        'POST',
        `/api/v1/groups/id/${created.body.id}/update`,
        {
          token: admin.token,
          rawBody: '{"permissions": {"chat": {"__proto__": {"admin": true}}}}',
        },
      );
      expect(prototype.status).toBe(400);
      expect(prototype.body.detail).toContain('permissions.chat.__proto__ is not a permission name');
      expect((await get<Array<{ id: string }>>(b, '/api/v1/groups/', admin)).status).toBe(200);
    });
  });

  describe('users', () => {
    it('shows any signed-in user only the name, picture and active status of another', async () => {
      const seen = await get<Json>(a, `/api/v1/users/${ada.id}`, bob);
      expect(seen.status).toBe(200);
      expect(seen.body).toEqual({ name: 'Ada', profile_image_url: expect.any(String), active: true });
      const asAdmin = await get<Json>(b, `/api/v1/users/${ada.id}`, admin);
      expect(asAdmin.body).toMatchObject({ id: ada.id, email: ada.email, role: 'user', active: true });
      expect((await get(a, `/api/v1/users/${randomUUID()}`, bob)).status).toBe(404);
      const active = await get<{ active: boolean }>(b, `/api/v1/users/${bob.id}/active`, ada);
      expect(active.body).toEqual({ active: true });
    });

    it('lists every user at /users/all for admins, with last_active_at, and not for others', async () => {
      const all = await get<{ users: Array<Json>; total: number }>(a, '/api/v1/users/all', admin);
      expect(all.status).toBe(200);
      expect(all.body.total).toBeGreaterThanOrEqual(3);
      const adaRow = all.body.users.find((u) => u.id === ada.id);
      expect(adaRow?.last_active_at).toBeGreaterThan(Date.now() / 1000 - 600);
      expect((await get(b, '/api/v1/users/all', bob)).status).toBe(403);
    });

    it('answers the default permissions, nested, to admins only', async () => {
      const defaults = await get<Session['permissions']>(a, '/api/v1/users/default/permissions', admin);
      expect(defaults.status).toBe(200);
      expect(defaults.body.chat).toMatchObject({ delete: true, temporary_enforced: false });
      expect(defaults.body.workspace).toMatchObject({ models: false, knowledge: false });
      expect((await get(b, '/api/v1/users/default/permissions', ada)).status).toBe(403);
    });

    it('answers null settings until saved, and merges profile info', async () => {
      const fresh = (await signUp(b, 'Cleo')) as Session;
      expect((await get(a, '/api/v1/users/user/settings', fresh)).body).toBeNull();
      expect((await get(a, '/api/v1/users/user/info', fresh)).body).toBeNull();
      expect((await post(b, '/api/v1/users/user/info/update', fresh, { location: 'Oslo' })).body).toEqual({
        location: 'Oslo',
      });
      expect((await post(a, '/api/v1/users/user/info/update', fresh, { bio: 'hi' })).body).toEqual({
        location: 'Oslo',
        bio: 'hi',
      });
      expect((await get(b, '/api/v1/users/user/info', fresh)).body).toEqual({ location: 'Oslo', bio: 'hi' });
      const refused = await post<{ detail: string }>(a, '/api/v1/users/user/info/update', fresh, [1]);
      expect(refused.status).toBe(400);
    });
  });

  describe('config and version', () => {
    it('answers the sign-in screen without, and the chat defaults with, a session', async () => {
      const anonymous = await get<Json & { features: Json }>(a, '/api/config');
      expect(anonymous.body).toMatchObject({ status: true, version: expect.any(String) });
      expect(anonymous.body.default_models).toBeUndefined();
      expect(anonymous.body.features.enable_message_rating).toBeUndefined();
      const signedIn = await get<Json & { features: Json }>(b, '/api/config', ada);
      expect(signedIn.body).toMatchObject({
        default_models: 'llama-fake:latest',
        default_prompt_suggestions: [{ title: ['Help me', 'plan a trip'], content: 'Plan a trip' }],
        features: { enable_community_sharing: false, enable_message_rating: true },
      });
      expect(signedIn.body.user_count).toBeUndefined();
      const asAdmin = await get<Json>(a, '/api/config', admin);
      expect(asAdmin.body.user_count).toBeGreaterThanOrEqual(3);
    });

    it('answers /api/version, /api/changelog and /api/version/updates', async () => {
      const version = await get<{ version: string }>(a, '/api/version');
      expect(version.body.version).toMatch(/^\d+\.\d+\.\d+/);
      expect((await get(b, '/api/changelog')).body).toEqual({});
      expect((await get(a, '/api/version/updates', ada)).body).toEqual({
        current: version.body.version,
        latest: version.body.version,
      });
    });
  });

  describe('chats', () => {
    /** What Open WebUI's frontend sends to /chats/new once the first message is in (Chat.svelte). */
    const openWebUiChat = () => {
      const q = randomUUID();
      const r = randomUUID();
      const history = {
        messages: {
          [q]: {
            id: q,
            parentId: null,
            childrenIds: [r],
            role: 'user',
            content: 'Why is the sky blue?',
            timestamp: 1_750_000_000,
            models: ['llama-fake:latest'],
          },
          [r]: {
            parentId: q,
            id: r,
            childrenIds: [],
            role: 'assistant',
            content: '',
            model: 'llama-fake:latest',
            modelName: 'llama-fake:latest',
            modelIdx: 0,
            timestamp: 1_750_000_001,
          },
        },
        currentId: r,
      };
      return {
        id: '',
        title: 'New Chat',
        models: ['llama-fake:latest'],
        params: {},
        history,
        messages: [history.messages[q], history.messages[r]],
        tags: [],
        timestamp: 1_750_000_000_000,
      };
    };

    it('keeps what /chats/new was sent: the document comes back as it went in', async () => {
      const sent = openWebUiChat();
      const created = await post<{ id: string; chat: Json }>(a, '/api/v1/chats/new', ada, { chat: sent });
      expect(created.status).toBe(200);
      const { id: _dropped, ...rest } = sent;
      expect(created.body.chat).toEqual(rest);
      expect((await get<{ chat: Json }>(b, `/api/v1/chats/${created.body.id}`, ada)).body.chat).toEqual(rest);
    });

    it('keeps the tags an update sends in the document', async () => {
      const created = await post<{ id: string }>(a, '/api/v1/chats/new', ada, {
        chat: { title: 'T', tags: [] },
      });
      const updated = await post<{ chat: Json }>(b, `/api/v1/chats/${created.body.id}`, ada, {
        chat: { tags: ['work'] },
      });
      expect(updated.body.chat.tags).toEqual(['work']);
      expect((await get<{ chat: Json }>(a, `/api/v1/chats/${created.body.id}`, ada)).body.chat.tags).toEqual([
        'work',
      ]);
    });

    it('answers a share with the share id as id, which opens the shared chat for another user', async () => {
      const created = await post<{ id: string }>(a, '/api/v1/chats/new', ada, {
        chat: { title: 'Shared one' },
      });
      const shared = await post<{ id: string; share_id: string; title: string }>(
        b,
        `/api/v1/chats/${created.body.id}/share`,
        ada,
      );
      expect(shared.status).toBe(200);
      expect(shared.body.id).toBe(shared.body.share_id);
      expect(shared.body.id).not.toBe(created.body.id);
      const opened = await get<{ title: string }>(a, `/api/v1/chats/share/${shared.body.id}`, bob);
      expect(opened.status).toBe(200);
      expect(opened.body.title).toBe('Shared one');
    });

    it('lists archived chats whole, a folder with its subfolders, and (admins) a user’s chats', async () => {
      const keep = await post<{ id: string }>(a, '/api/v1/chats/new', bob, { chat: { title: 'Kept' } });
      const old = await post<{ id: string }>(a, '/api/v1/chats/new', bob, { chat: { title: 'Old' } });
      await post(b, `/api/v1/chats/${old.body.id}/archive`, bob);
      const archived = await get<Array<{ id: string; chat: Json; archived: boolean }>>(
        a,
        '/api/v1/chats/all/archived',
        bob,
      );
      expect(archived.body.map((c) => c.id)).toEqual([old.body.id]);
      expect(archived.body[0]).toMatchObject({ archived: true, chat: { title: 'Old' } });

      const parent = await post<{ id: string }>(b, '/api/v1/folders/', bob, { name: `P-${randomUUID()}` });
      const child = await post<{ id: string }>(a, '/api/v1/folders/', bob, {
        name: `C-${randomUUID()}`,
        parent_id: parent.body.id,
      });
      await post(a, `/api/v1/chats/${keep.body.id}/folder`, bob, { folder_id: child.body.id });
      const inFolder = await get<Array<{ id: string; chat: Json }>>(
        b,
        `/api/v1/chats/folder/${parent.body.id}`,
        bob,
      );
      expect(inFolder.status).toBe(200);
      expect(inFolder.body.map((c) => [c.id, c.chat.title])).toEqual([[keep.body.id, 'Kept']]);
      expect((await get(a, `/api/v1/chats/folder/${parent.body.id}`, ada)).status).toBe(404);

      const listed = await get<Array<{ id: string }>>(a, `/api/v1/chats/list/user/${bob.id}`, admin);
      expect(listed.status).toBe(200);
      expect(listed.body.map((c) => c.id).sort()).toEqual([keep.body.id, old.body.id].sort());
      expect((await get(b, `/api/v1/chats/list/user/${bob.id}`, ada)).status).toBe(403);
    });
  });

  describe('models and ollama', () => {
    it('stores a preset on a base model no connection serves today, as Open WebUI does', async () => {
      const id = `later-${randomUUID().slice(0, 8)}`;
      const created = await post<Json>(a, '/api/v1/models/create', admin, {
        id,
        base_model_id: 'not-served-yet',
        name: 'Later',
        meta: {},
        params: {},
      });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ id, base_model_id: 'not-served-yet' });
    });

    it('toggles a preset off and on, and deletes them all for an admin', async () => {
      const onlyOwner = { read: { group_ids: [], user_ids: [] }, write: { group_ids: [], user_ids: [] } };
      const id = `toggled-${randomUUID().slice(0, 8)}`;
      await post(a, '/api/v1/models/create', admin, {
        id,
        base_model_id: 'llama-fake:latest',
        name: 'Toggled',
        meta: { description: 'kept' },
        params: { temperature: 0.3 },
        access_control: onlyOwner,
      });
      const off = await post<Json>(b, `/api/v1/models/model/toggle?id=${id}`, admin);
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({
        id,
        is_active: false,
        access_control: onlyOwner,
        params: { temperature: 0.3 },
        meta: { description: 'kept' },
      });
      expect((await post<Json>(a, `/api/v1/models/model/toggle?id=${id}`, admin)).body.is_active).toBe(true);
      expect((await post(a, `/api/v1/models/model/toggle?id=${id}`, ada)).status).toBe(404);

      expect((await request(b, 'DELETE', '/api/v1/models/delete/all', { token: ada.token })).status).toBe(
        403,
      );
      const deleted = await request(b, 'DELETE', '/api/v1/models/delete/all', { token: admin.token });
      expect(deleted).toMatchObject({ status: 200, body: true });
      expect((await get<unknown[]>(a, '/api/v1/models/list', admin)).body).toEqual([]);
    });

    it('lists the base models for admins', async () => {
      const base = await get<{ data: Array<{ id: string }> }>(b, '/api/models/base', admin);
      expect(base.body.data.map((m) => m.id)).toEqual(['llama-fake:latest']);
      expect((await get(a, '/api/models/base', ada)).status).toBe(403);
      expect((await get(a, '/api/v1/models/base', admin)).body).toEqual([]);
    });

    it('unloads an Ollama model itself, and refuses the GGUF download and upload with a clear 404', async () => {
      ollama.resetStats();
      const unloaded = await post<Json>(a, '/ollama/api/unload', admin, { model: 'llama-fake:latest' });
      expect(unloaded.status).toBe(200);
      expect(unloaded.body).toEqual({ status: true });
      expect(ollama.stats.lastRequest).toMatchObject({
        path: '/api/generate',
        body: { model: 'llama-fake:latest', keep_alive: 0 },
      });
      expect((await post<Json>(b, '/ollama/api/unload', admin, {})).status).toBe(400);
      expect((await post<Json>(b, '/ollama/api/unload', ada, { model: 'llama-fake:latest' })).status).toBe(
        403,
      );
      expect((await post(a, '/ollama/models/other', admin)).status).toBe(400);
      for (const action of ['download', 'upload']) {
        const refused = await post<{ detail: string }>(a, `/ollama/models/${action}`, admin, { url: 'x' });
        expect(refused.status).toBe(404);
        expect(refused.body).toMatchObject({
          code: 'NOT_OFFERED',
          detail: expect.stringContaining('/ollama/api/pull'),
        });
      }
    });
  });

  describe('evaluations', () => {
    it('takes the feedback its frontend posts on a thumb and answers what the chat and admin screens read', async () => {
      // ResponseMessage.svelte's feedbackHandler: the annotation as data, where it was given as meta,
      // the chat as the snapshot; the answer's id becomes the message's feedbackId.
      const chatId = randomUUID();
      const messageId = randomUUID();
      const feedback = {
        type: 'rating',
        data: {
          rating: 1,
          model_id: 'llama-fake:latest',
          sibling_model_ids: ['other-model'],
          reason: 'Accurate information',
          comment: '',
          tags: ['science'],
          details: { rating: null },
        },
        meta: { arena: false, message_id: messageId, message_index: 1, chat_id: chatId },
        snapshot: {
          chat: { id: chatId, title: 'Why is the sky blue?', chat: { history: { messages: {} } } },
        },
      };
      const created = await post<Json & { id: string }>(a, '/api/v1/evaluations/feedback', ada, feedback);
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({
        type: 'rating',
        user_id: ada.id,
        data: feedback.data,
        meta: feedback.meta,
      });
      expect(typeof created.body.id).toBe('string');

      // The rating dialog's save: updateFeedbackById with the whole form, a 1-10 detail added.
      const updated = await post<Json>(b, `/api/v1/evaluations/feedback/${created.body.id}`, ada, {
        ...feedback,
        data: { ...feedback.data, details: { rating: 8 }, comment: 'Good' },
      });
      expect(updated.body).toMatchObject({
        id: created.body.id,
        data: { details: { rating: 8 }, comment: 'Good' },
      });

      // The admin Evaluations screen: the feedback list with user, the export, the leaderboard, the config.
      const all = await get<Array<Json & { user: Json | null }>>(
        b,
        '/api/v1/evaluations/feedbacks/all',
        admin,
      );
      const row = all.body.find((f) => f.id === created.body.id)!;
      expect(row).toMatchObject({
        data: { rating: 1, model_id: 'llama-fake:latest' },
        meta: { chat_id: chatId },
      });
      expect(row.user).toMatchObject({ id: ada.id, name: 'Ada', profile_image_url: expect.any(String) });
      const exported = await get<Json[]>(a, '/api/v1/evaluations/feedbacks/all/export', admin);
      expect(exported.body.find((f) => f.id === created.body.id)).toMatchObject({
        snapshot: feedback.snapshot,
      });
      const board = await get<{ entries: Json[] }>(b, '/api/v1/evaluations/leaderboard', admin);
      expect(board.body.entries.find((e) => e.model_id === 'llama-fake:latest')).toMatchObject({
        rating: expect.any(Number),
        won: expect.any(Number),
        lost: expect.any(Number),
        count: expect.any(Number),
        top_tags: expect.arrayContaining([{ tag: 'science', count: 1 }]),
      });
      expect(await get(a, '/api/v1/evaluations/config', admin)).toMatchObject({
        status: 200,
        body: {
          ENABLE_EVALUATION_ARENA_MODELS: expect.any(Boolean),
          EVALUATION_ARENA_MODELS: expect.any(Array),
        },
      });

      const removed = await request(a, 'DELETE', `/api/v1/evaluations/feedback/${created.body.id}`, {
        token: ada.token,
      });
      expect(removed).toMatchObject({ status: 200, body: true });
    });
  });
});
