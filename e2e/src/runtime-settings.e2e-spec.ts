import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { FakeLlm, Stack, startFakeLlm, startStack } from '@parley/testing';
import { request, SignedUp, signUpsFrom, until, untilStatus, type JsonResponse } from './support/http';

const signUpAs = signUpsFrom('2001:db8:5e7::');

type AdminConfig = Record<string, unknown> & { ENABLE_SIGNUP: boolean; DEFAULT_USER_ROLE: string };

/**
 * The settings an admin changes at runtime (Open WebUI's /api/v1/auths/admin/config, /users/default/
 * permissions, /configs/*), through two copies of gateway and auth: a change made on one copy applies on
 * the other; it overrides the environment; plain users are refused; bad values are 400 naming the setting.
 */
describe('runtime settings through two copies', () => {
  let stack: Stack;
  let upstream: FakeLlm;
  let gatewayA: string;
  let gatewayB: string;
  let admin: SignedUp;
  let user: SignedUp;

  const adminConfig = (gateway: string) =>
    request<AdminConfig>(gateway, 'GET', '/api/v1/auths/admin/config', { token: admin.token });
  const saveAdminConfig = (gateway: string, body: Record<string, unknown>, who = admin) =>
    request<AdminConfig>(gateway, 'POST', '/api/v1/auths/admin/config', { token: who.token, body });
  const signUpOn = (gateway: string) =>
    request<SignedUp>(gateway, 'POST', '/api/v1/auths/signup', {
      body: { name: 'Late', email: `late-${randomUUID()}@example.com`, password: 'correct horse battery' },
      headers: { 'x-forwarded-for': `2001:db8:5e7:1::${Math.floor(Math.random() * 0xffff).toString(16)}` },
    });

  beforeAll(async () => {
    upstream = await startFakeLlm({ models: ['alpha-model', 'beta-model', 'gamma-model'] });
    stack = await startStack({
      copies: { auth: 2, 'model-gateway': 1, gateway: 2 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        DEFAULT_MODELS: 'env-model',
        ENABLE_OLLAMA_API: 'false',
        OPENAI_API_BASE_URLS: upstream.openaiBaseUrl,
        OPENAI_API_KEYS: 'sk-fake',
      },
    });
    [gatewayA, gatewayB] = stack.gatewayUrls as [string, string];
    admin = await signUpAs(gatewayA, 'Admin');
    user = await signUpAs(gatewayB, 'User');
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await upstream?.close();
  });

  it('answers the environment until changed, then applies a change made on copy A on copy B', async () => {
    const initial = await adminConfig(gatewayB);
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({
      ENABLE_SIGNUP: true,
      DEFAULT_USER_ROLE: 'user',
      ENABLE_API_KEY: true,
      ENABLE_COMMUNITY_SHARING: false,
      JWT_EXPIRES_IN: expect.any(String),
    });

    // Open WebUI's admin screen sends the whole object back with its changes.
    const saved = await saveAdminConfig(gatewayA, {
      ...initial.body,
      ENABLE_SIGNUP: false,
      PENDING_USER_OVERLAY_TITLE: 'Hold on',
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ ENABLE_SIGNUP: false, PENDING_USER_OVERLAY_TITLE: 'Hold on' });

    const refused = await untilStatus(403, () => signUpOn(gatewayB));
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toMatch(/Sign-up is disabled/);
    const config = await until(
      () => request<{ features: { enable_signup: boolean } }>(gatewayB, 'GET', '/api/config'),
      (r) => r.body.features.enable_signup === false,
    );
    expect(config.body.features.enable_signup).toBe(false);

    // Sign-up back on, with a new default role: the next account on copy B is pending.
    expect(
      (await saveAdminConfig(gatewayB, { ENABLE_SIGNUP: true, DEFAULT_USER_ROLE: 'pending' })).status,
    ).toBe(200);
    const late = await untilStatus(200, () => signUpOn(gatewayA));
    expect(late.status).toBe(200);
    expect(late.body.role).toBe('pending');
    const overlay = await request<{ ui?: { pending_user_overlay_title: string | null } }>(
      gatewayA,
      'GET',
      '/api/config',
      { token: late.body.token },
    );
    expect(overlay.body.ui?.pending_user_overlay_title).toBe('Hold on');
    await saveAdminConfig(gatewayA, { DEFAULT_USER_ROLE: 'user' });
  });

  it('refuses plain users, invalid values and changes of what only the environment sets, naming them', async () => {
    expect((await saveAdminConfig(gatewayA, { ENABLE_SIGNUP: false }, user)).status).toBe(403);
    expect((await request(gatewayA, 'GET', '/api/v1/auths/admin/config', { token: user.token })).status).toBe(
      403,
    );
    for (const [body, message, code] of [
      [{ DEFAULT_USER_ROLE: 'owner' }, /DEFAULT_USER_ROLE/, 'INVALID_SETTING'],
      [{ ENABLE_SIGNUP: 'yes' }, /ENABLE_SIGNUP/, 'INVALID_INPUT'],
      [{ JWT_EXPIRES_IN: '1m' }, /JWT_EXPIRES_IN.*environment/, 'SETTING_NOT_RUNTIME'],
      [{ ENABLE_CHANNELS: true }, /ENABLE_CHANNELS.*not offered/, 'SETTING_NOT_RUNTIME'],
    ] as const) {
      const answer: JsonResponse = await saveAdminConfig(gatewayB, body);
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toMatch(message);
      expect(answer.body.code).toBe(code);
    }
    // Nothing was written by the refused changes.
    expect((await adminConfig(gatewayA)).body.DEFAULT_USER_ROLE).toBe('user');
  });

  it("changes the default permissions (Open WebUI's nested shape) and users' permissions follow", async () => {
    const permissionsOf = () =>
      request<{ chat: Record<string, boolean> }>(gatewayB, 'GET', '/api/v1/users/permissions', {
        token: user.token,
      });
    expect((await permissionsOf()).body.chat.delete).toBe(true);
    const saved = await request<{ chat: Record<string, boolean> }>(
      gatewayA,
      'POST',
      '/api/v1/users/default/permissions',
      { token: admin.token, body: { chat: { delete: false } } },
    );
    expect(saved.status).toBe(200);
    expect(saved.body.chat).toMatchObject({ delete: false, edit: true });
    const after = await until(permissionsOf, (r) => r.body.chat.delete === false);
    expect(after.body.chat).toMatchObject({ delete: false, edit: true });
    const defaults = await request<{ chat: Record<string, boolean> }>(
      gatewayB,
      'GET',
      '/api/v1/users/default/permissions',
      { token: admin.token },
    );
    expect(defaults.body.chat.delete).toBe(false);
    const unknown = await request(gatewayA, 'POST', '/api/v1/users/default/permissions', {
      token: admin.token,
      body: { chat: { fly: true } },
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toMatch(/USER_PERMISSIONS.*does not exist/);
    expect(
      (
        await request(gatewayA, 'POST', '/api/v1/users/default/permissions', {
          token: user.token,
          body: { chat: { delete: true } },
        })
      ).status,
    ).toBe(403);
  });

  it('keeps banners, prompt suggestions and default models, shown to users on the other copy', async () => {
    const banner = {
      id: 'maintenance',
      type: 'warning',
      title: 'Maintenance',
      content: 'Down on Sunday 02:00 UTC',
      dismissible: true,
      timestamp: 1_765_000_000,
    };
    const setBanners = await request(gatewayA, 'POST', '/api/v1/configs/banners', {
      token: admin.token,
      body: { banners: [banner] },
    });
    expect(setBanners.status).toBe(200);
    const seen = await until(
      () => request<unknown[]>(gatewayB, 'GET', '/api/v1/configs/banners', { token: user.token }),
      (r) => r.body.length === 1,
    );
    expect(seen.body).toEqual([banner]);
    const badBanner = await request(gatewayA, 'POST', '/api/v1/configs/banners', {
      token: admin.token,
      body: { banners: [{ ...banner, type: 'party' }] },
    });
    expect(badBanner.status).toBe(400);
    expect(JSON.stringify(badBanner.body)).toMatch(/BANNERS \(at 0\.type\)/);
    expect(
      (
        await request(gatewayA, 'POST', '/api/v1/configs/banners', {
          token: user.token,
          body: { banners: [] },
        })
      ).status,
    ).toBe(403);

    const suggestion = { title: ['Plan', 'a trip'], content: 'Plan a weekend trip' };
    const suggestions = await request(gatewayB, 'POST', '/api/v1/configs/suggestions', {
      token: admin.token,
      body: { suggestions: [suggestion] },
    });
    expect(suggestions.status).toBe(200);
    expect(suggestions.body).toEqual([suggestion]);

    const before = await request<{ DEFAULT_MODELS: string }>(gatewayA, 'GET', '/api/v1/configs/models', {
      token: admin.token,
    });
    expect(before.body.DEFAULT_MODELS).toBe('env-model');
    const order = ['gamma-model', 'alpha-model'];
    const models = await request(gatewayA, 'POST', '/api/v1/configs/models', {
      token: admin.token,
      body: { DEFAULT_MODELS: 'admin-model', MODEL_ORDER_LIST: order },
    });
    expect(models.body).toEqual({ DEFAULT_MODELS: 'admin-model', MODEL_ORDER_LIST: order });
    // /api/models lists the named ones first, in that order, then the rest (as Open WebUI sorts it).
    const listed = await until(
      () => request<{ data: Array<{ id: string }> }>(gatewayB, 'GET', '/api/models', { token: user.token }),
      (r) => r.body.data?.[0]?.id === 'gamma-model',
    );
    expect(listed.body.data.map((m) => m.id)).toEqual(['gamma-model', 'alpha-model', 'beta-model']);
    const config = await until(
      () =>
        request<{ default_models: string; default_prompt_suggestions: unknown[] }>(
          gatewayB,
          'GET',
          '/api/config',
          { token: user.token },
        ),
      (r) => r.body.default_models === 'admin-model',
    );
    expect(config.body).toMatchObject({
      default_models: 'admin-model',
      default_prompt_suggestions: [suggestion],
    });

    // null gives the environment's value back.
    const reset = await request(gatewayB, 'POST', '/api/v1/configs/models', {
      token: admin.token,
      body: { DEFAULT_MODELS: null },
    });
    expect(reset.body).toMatchObject({ DEFAULT_MODELS: 'env-model', MODEL_ORDER_LIST: order });
  });

  it('stores each change in the database with the admin who made it, and a killed auth copy loses nothing', async () => {
    const title = `kept-${randomUUID().slice(0, 6)}`;
    expect((await saveAdminConfig(gatewayA, { PENDING_USER_OVERLAY_TITLE: title })).status).toBe(200);
    const db = new Client({ connectionString: stack.database.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ value: unknown; updated_by: string }>(
        `SELECT value, updated_by FROM auth.instance_settings WHERE key = 'PENDING_USER_OVERLAY_TITLE'`,
      );
      expect(rows).toEqual([{ value: title, updated_by: admin.id }]);
    } finally {
      await db.end();
    }
    // The other auth copy reads the same rows: with one copy gone, the setting is still there.
    await stack.services.auth![0]!.stop('SIGKILL');
    const after = await until(
      () => adminConfig(gatewayB).catch(() => ({ status: 0, body: {} as AdminConfig })),
      (r) => r.status === 200 && r.body.PENDING_USER_OVERLAY_TITLE === title,
      30_000,
    );
    expect(after.body.PENDING_USER_OVERLAY_TITLE).toBe(title);
  });
});
