import { randomUUID } from 'node:crypto';
import { Stack, startStack } from '@parley/testing';
import { request, SignedUp, signUpsFrom } from './support/http';

type Json = Record<string, unknown>;
interface FeedbackJson {
  id: string;
  user_id: string;
  version: number;
  type: string;
  data: Json | null;
  meta: Json | null;
  snapshot?: Json | null;
  created_at: number;
  updated_at: number;
  user?: { id: string; name: string } | null;
}

const signUpAs = signUpsFrom('2001:db8:16:e::');

/**
 * Open WebUI's evaluations group through two gateway copies: feedback rows written on one copy and
 * read, changed and deleted on the other, owned by their user (another user gets 404), the admin
 * routes refused to a plain user (403), bad input answered 400 with a message, the export whole, and
 * the leaderboard ranking models by their head-to-head ratings, the thumbs in the chat included.
 */
describe('evaluations through two gateway copies', () => {
  let stack: Stack;
  let a: string;
  let b: string;
  let admin: SignedUp;
  let ada: SignedUp;
  let bob: SignedUp;

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 1, 'model-gateway': 1, gateway: 2 },
      env: { DEFAULT_USER_ROLE: 'user', ENABLE_OLLAMA_API: 'false', ENABLE_OPENAI_API: 'false' },
    });
    [a, b] = stack.gatewayUrls as [string, string];
    admin = await signUpAs(a, 'Admin');
    ada = await signUpAs(b, 'Ada');
    bob = await signUpAs(a, 'Bob');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const call = <T = Json>(base: string, method: string, path: string, who: SignedUp, body?: unknown) =>
    request<T>(base, method, `/api/v1/evaluations${path}`, { token: who.token, body });

  /** What Open WebUI's frontend posts when an answer gets a thumb (ResponseMessage's feedbackHandler). */
  const thumbFeedback = (model: string, siblings: string[], rating: 1 | -1, extra: Json = {}) => ({
    type: 'rating',
    data: {
      rating,
      model_id: model,
      sibling_model_ids: siblings,
      reason: '',
      comment: '',
      ...extra,
    },
    meta: { arena: false, chat_id: randomUUID(), message_id: randomUUID(), message_index: 1 },
    snapshot: { chat: { id: 'c', chat: { title: 'A chat', history: { messages: {} } } } },
  });

  it('creates feedback on one copy and reads, updates and deletes it on the other', async () => {
    const before = Math.floor(Date.now() / 1000);
    const sent = thumbFeedback('alpha', ['beta'], 1, { reason: 'Accurate information' });
    const created = await call<FeedbackJson>(a, 'POST', '/feedback', ada, sent);
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: expect.any(String),
      user_id: ada.id,
      version: 0,
      type: 'rating',
      data: sent.data,
      meta: sent.meta,
      snapshot: sent.snapshot,
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
    });
    expect(created.body.created_at).toBeGreaterThanOrEqual(before);
    const id = created.body.id;

    const read = await call<FeedbackJson>(b, 'GET', `/feedback/${id}`, ada);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    // Open WebUI's updateFeedbackById after the rating dialog: the whole form again, comment added.
    const updated = await call<FeedbackJson>(b, 'POST', `/feedback/${id}`, ada, {
      ...sent,
      data: { ...sent.data, comment: 'Clear and short', details: { rating: 9 } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({ comment: 'Clear and short', details: { rating: 9 } });
    expect((await call<FeedbackJson>(a, 'GET', `/feedback/${id}`, ada)).body.data).toMatchObject({
      comment: 'Clear and short',
    });

    const mine = await call<FeedbackJson[]>(a, 'GET', '/feedbacks/user', ada);
    expect(mine.status).toBe(200);
    expect(mine.body.map((f) => f.id)).toEqual([id]);
    expect(mine.body[0]).not.toHaveProperty('snapshot');

    const removed = await call(b, 'DELETE', `/feedback/${id}`, ada);
    expect(removed).toMatchObject({ status: 200, body: true });
    expect((await call(a, 'GET', `/feedback/${id}`, ada)).status).toBe(404);
    expect((await call(a, 'DELETE', `/feedback/${id}`, ada)).status).toBe(404);
  });

  it("hides a user's feedback from a second user (404) and lets an admin at it", async () => {
    const created = await call<FeedbackJson>(
      a,
      'POST',
      '/feedback',
      ada,
      thumbFeedback('alpha', ['beta'], -1),
    );
    const id = created.body.id;

    for (const [method, base] of [
      ['GET', a],
      ['POST', b],
      ['DELETE', a],
    ] as const) {
      const res = await call(
        base,
        method,
        `/feedback/${id}`,
        bob,
        method === 'POST' ? { type: 'x' } : undefined,
      );
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ detail: 'No such feedback.', code: 'FEEDBACK_NOT_FOUND' });
    }
    expect((await call<FeedbackJson[]>(b, 'GET', '/feedbacks/user', bob)).body).toEqual([]);
    // Bob deleting "all of his" leaves Ada's alone.
    expect((await call(a, 'DELETE', '/feedbacks', bob)).body).toBe(false);
    expect((await call<FeedbackJson>(b, 'GET', `/feedback/${id}`, ada)).body.type).toBe('rating');

    const asAdmin = await call<FeedbackJson>(b, 'GET', `/feedback/${id}`, admin);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.user_id).toBe(ada.id);

    expect((await call(a, 'DELETE', '/feedbacks', ada)).body).toBe(true);
    expect((await call(b, 'GET', `/feedback/${id}`, ada)).status).toBe(404);
  });

  it('refuses the admin routes to a plain user with 403', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/config'],
      ['POST', '/config', { ENABLE_EVALUATION_ARENA_MODELS: false }],
      ['GET', '/leaderboard'],
      ['GET', '/feedbacks/all'],
      ['GET', '/feedbacks/list'],
      ['GET', '/feedbacks/all/export'],
      ['DELETE', '/feedbacks/all'],
    ];
    for (const [method, path, body] of routes) {
      const res = await call(b, method, path, bob, body);
      expect({ route: `${method} ${path}`, status: res.status }).toEqual({
        route: `${method} ${path}`,
        status: 403,
      });
      expect(res.body).toMatchObject({ detail: expect.any(String) });
    }
  });

  it('answers bad input with 400 and a message that names the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ data: { rating: 1 } }, 'type'],
      [{ type: 'rating', data: { rating: 5 } }, 'rating'],
      [{ type: 'rating', data: { rating: 1, reason: 'x'.repeat(1_001) } }, 'reason'],
      [{ type: 'rating', data: { rating: 1, comment: 'x'.repeat(10_001) } }, 'comment'],
      [{ type: 'rating', data: { rating: 1, sibling_model_ids: 'beta' } }, 'sibling_model_ids'],
      [{ type: 'rating', meta: { chat_id: 42 } }, 'chat_id'],
      [{ type: 'rating', data: 'thumbs up' }, 'data'],
    ];
    for (const [body, field] of cases) {
      const res = await call<{ detail: string }>(a, 'POST', '/feedback', ada, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.detail).toContain(field);
    }
    const badConfig = await call<{ detail: string }>(b, 'POST', '/config', admin, {
      EVALUATION_ARENA_MODELS: 'all',
    });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body.detail).toContain('EVALUATION_ARENA_MODELS');
    const badPage = await call<{ detail: string }>(a, 'GET', '/feedbacks/list?page=0', admin);
    expect(badPage.status).toBe(400);
    expect(badPage.body.detail).toContain('page');
  });

  it('lists, pages and exports every row for an admin', async () => {
    expect((await call(a, 'DELETE', '/feedbacks/all', admin)).status).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < 35; i++) {
      const who = i % 2 ? ada : bob;
      const res = await call<FeedbackJson>(
        i % 3 ? a : b,
        'POST',
        '/feedback',
        who,
        thumbFeedback(`m${i}`, [], 1),
      );
      expect(res.status).toBe(200);
      ids.push(res.body.id);
    }

    const all = await call<FeedbackJson[]>(b, 'GET', '/feedbacks/all', admin);
    expect(all.status).toBe(200);
    expect(all.body.map((f) => f.id).sort()).toEqual([...ids].sort());
    const byAda = all.body.find((f) => f.user_id === ada.id)!;
    expect(byAda.user).toMatchObject({ id: ada.id, name: 'Ada' });
    expect(byAda).not.toHaveProperty('snapshot');

    const first = await call<{ items: FeedbackJson[]; total: number }>(a, 'GET', '/feedbacks/list', admin);
    const second = await call<{ items: FeedbackJson[]; total: number }>(
      b,
      'GET',
      '/feedbacks/list?page=2&order_by=created_at&direction=desc',
      admin,
    );
    expect([first.body.total, first.body.items.length, second.body.items.length]).toEqual([35, 30, 5]);

    const exported = await call<FeedbackJson[]>(a, 'GET', '/feedbacks/all/export', admin);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('application/json');
    expect(exported.body.map((f) => f.id).sort()).toEqual([...ids].sort());
    expect(exported.body.every((f) => (f.snapshot as Json).chat)).toBe(true);

    expect((await call(b, 'DELETE', '/feedbacks/all', admin)).body).toBe(true);
    expect((await call<FeedbackJson[]>(a, 'GET', '/feedbacks/all/export', admin)).body).toEqual([]);
  });

  it('orders the leaderboard by the ratings, thumbs on chat answers included', async () => {
    const [top, mid, low] = ['top', 'mid', 'low'].map((n) => `${n}-${randomUUID().slice(0, 6)}`) as [
      string,
      string,
      string,
    ];
    for (let i = 0; i < 3; i++)
      await call(i % 2 ? a : b, 'POST', '/feedback', ada, thumbFeedback(top, [low], 1, { tags: ['code'] }));
    await call(a, 'POST', '/feedback', bob, thumbFeedback(mid, [low], 1));
    await call(b, 'POST', '/feedback', bob, thumbFeedback(low, [mid], -1));

    // A thumb on an answer in a chat, through Parley's rate route: the same feedback row.
    const q = randomUUID();
    const [r1, r2] = [randomUUID(), randomUUID()];
    const messages = {
      [q]: { id: q, parentId: null, childrenIds: [r1, r2], role: 'user', content: 'Which?', timestamp: 1 },
      [r1]: {
        id: r1,
        parentId: q,
        childrenIds: [],
        role: 'assistant',
        content: 'A',
        model: top,
        timestamp: 2,
      },
      [r2]: {
        id: r2,
        parentId: q,
        childrenIds: [],
        role: 'assistant',
        content: 'B',
        model: mid,
        timestamp: 3,
      },
    };
    const chat = await request<{ id: string }>(a, 'POST', '/api/v1/chats/new', {
      token: ada.token,
      body: { chat: { title: 'compare', history: { messages, currentId: r1 } } },
    });
    expect(chat.status).toBe(200);
    const rated = await request(b, 'POST', `/api/v1/chats/${chat.body.id}/messages/${r1}/rate`, {
      token: ada.token,
      body: { rating: 1, reason: 'Followed instructions' },
    });
    expect(rated.status).toBe(200);
    const mine = await call<FeedbackJson[]>(a, 'GET', '/feedbacks/user', ada);
    expect(mine.body.find((f) => f.meta?.message_id === r1)?.data).toMatchObject({
      rating: 1,
      model_id: top,
      sibling_model_ids: [mid],
      reason: 'Followed instructions',
    });

    const board = await call<{
      entries: Array<{ model_id: string; rating: number; won: number; lost: number }>;
    }>(b, 'GET', '/leaderboard', admin);
    expect(board.status).toBe(200);
    const ours = board.body.entries.filter((e) => [top, mid, low].includes(e.model_id));
    expect(ours.map((e) => e.model_id)).toEqual([top, mid, low]);
    expect(ours[0]).toMatchObject({ won: 4, lost: 0, count: 4, top_tags: [{ tag: 'code', count: 3 }] });
    expect(ours[0]!.rating).toBeGreaterThan(ours[1]!.rating);
    expect(ours[1]!.rating).toBeGreaterThan(ours[2]!.rating);
    const ratings = board.body.entries.map((e) => e.rating);
    expect(ratings).toEqual([...ratings].sort((x, y) => y - x));

    const coding = await call<{ entries: Array<{ model_id: string }> }>(
      a,
      'GET',
      '/leaderboard?query=code',
      admin,
    );
    expect(
      coding.body.entries.filter((e) => [top, mid, low].includes(e.model_id)).map((e) => e.model_id),
    ).toEqual([top, low]);
  });

  it("keeps the evaluation settings an admin saves, on every copy, in Open WebUI's shape", async () => {
    const initial = await call(a, 'GET', '/config', admin);
    expect(initial).toMatchObject({
      status: 200,
      body: { ENABLE_EVALUATION_ARENA_MODELS: true, EVALUATION_ARENA_MODELS: [] },
    });
    const arena = [{ id: 'arena-1', name: 'Arena', meta: { model_ids: ['alpha', 'beta'] } }];
    const saved = await call(a, 'POST', '/config', admin, {
      ENABLE_EVALUATION_ARENA_MODELS: false,
      EVALUATION_ARENA_MODELS: arena,
    });
    expect(saved.body).toEqual({ ENABLE_EVALUATION_ARENA_MODELS: false, EVALUATION_ARENA_MODELS: arena });
    // Open WebUI v0.6's admin screen sends only the switch; the list stays.
    await call(b, 'POST', '/config', admin, { ENABLE_EVALUATION_ARENA_MODELS: true });
    expect((await call(b, 'GET', '/config', admin)).body).toEqual({
      ENABLE_EVALUATION_ARENA_MODELS: true,
      EVALUATION_ARENA_MODELS: arena,
    });
  });
});
