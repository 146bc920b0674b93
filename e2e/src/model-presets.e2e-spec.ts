import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { FakeLlm, Stack, startFakeLlm, startStack } from '@parley/testing';
import { apiKeyOf, createGroup, request, SignedUp, signUpsFrom } from './support/http';

const signUpAs = signUpsFrom('2001:db8:5:1::');

const client = (gateway: string, key: string) =>
  new OpenAI({ baseURL: `${gateway}/api`, apiKey: key, maxRetries: 0, timeout: 20_000 });

async function modelIds(gateway: string, key: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const model of client(gateway, key).models.list()) ids.push(model.id);
  return ids;
}

/** Retries `check` for up to a second: group changes reach every gateway copy through Redis. */
async function eventually(check: () => Promise<void>): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - started > 1_500) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Model presets through two copies of gateway and model-gateway, with the official `openai` client and
 * API keys: access control by groups, the preset's prompt and parameters at the upstream, the workspace
 * permission, and clear 4xx answers for bad input.
 */
describe('model presets with access control through two copies', () => {
  let stack: Stack;
  let upstream: FakeLlm;
  let gatewayA: string;
  let gatewayB: string;
  let admin: SignedUp;
  let outsider: SignedUp;
  let member: SignedUp;
  let outsiderKey: string;
  let memberKey: string;
  let readersGroup: string;
  const presetId = `tutor-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    upstream = await startFakeLlm({ models: ['gpt-fake'] });
    stack = await startStack({
      copies: { auth: 1, 'model-gateway': 2, gateway: 2 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        OPENAI_API_BASE_URLS: upstream.openaiBaseUrl,
        ENABLE_OLLAMA_API: 'false',
        MODELS_CACHE_TTL: '1',
      },
    });
    [gatewayA, gatewayB] = stack.gatewayUrls as [string, string];
    admin = await signUpAs(gatewayA, 'Admin');
    outsider = await signUpAs(gatewayA, 'Outsider');
    member = await signUpAs(gatewayB, 'Member');
    outsiderKey = await apiKeyOf(gatewayA, outsider);
    memberKey = await apiKeyOf(gatewayB, member);
    readersGroup = await createGroup(gatewayA, admin, 'readers', [member.id]);
  });

  afterAll(async () => {
    await stack?.stop();
    await upstream?.close();
  });

  it('lets an admin create a preset readable by one group, in Open WebUI shape', async () => {
    const created = await request<Record<string, unknown>>(gatewayA, 'POST', '/api/v1/models/create', {
      token: admin.token,
      body: {
        id: presetId,
        base_model_id: 'gpt-fake',
        name: 'Patient tutor',
        meta: { description: 'Explains slowly', knowledge: [{ id: 'kb-physics' }] },
        params: {
          system: 'You are a patient tutor.',
          temperature: 0.1,
          top_p: 0.5,
          max_tokens: 64,
          seed: 7,
          stop: 'END',
        },
        access_control: {
          read: { group_ids: [readersGroup], user_ids: [] },
          write: { group_ids: [], user_ids: [] },
        },
      },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: presetId,
      user_id: admin.id,
      base_model_id: 'gpt-fake',
      name: 'Patient tutor',
      params: {
        system: 'You are a patient tutor.',
        temperature: 0.1,
        top_p: 0.5,
        max_tokens: 64,
        seed: 7,
        stop: ['END'],
      },
      meta: { description: 'Explains slowly', knowledge: [{ id: 'kb-physics' }] },
      knowledge_ids: ['kb-physics'],
      access_control: { read: { group_ids: [readersGroup], user_ids: [] } },
      is_active: true,
      write_access: true,
    });
    const again = await request(gatewayB, 'GET', `/api/v1/models/model?id=${presetId}`, {
      token: admin.token,
    });
    expect(again.status).toBe(200);
  });

  it('hides the preset from a user outside the group: not listed, not readable, not callable', async () => {
    for (const gateway of [gatewayA, gatewayB]) {
      const ids = await modelIds(gateway, outsiderKey);
      expect(ids).toContain('gpt-fake');
      expect(ids).not.toContain(presetId);
    }
    const read = await request(gatewayB, 'GET', `/api/v1/models/model?id=${presetId}`, {
      token: outsider.token,
    });
    expect(read.status).toBe(404);
    expect(read.body).toEqual({ detail: `Model not found: ${presetId}`, code: 'MODEL_NOT_FOUND' });
    const workspace = await request<unknown[]>(gatewayA, 'GET', '/api/v1/models/', { token: outsider.token });
    expect(workspace.body).toEqual([]);

    const before = upstream.stats.completions;
    const call = client(gatewayA, outsiderKey).chat.completions.create({
      model: presetId,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(call).rejects.toMatchObject({ status: 404 });
    const raw = await request(gatewayB, 'POST', '/api/chat/completions', {
      token: outsiderKey,
      body: { model: presetId, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(raw).toMatchObject({ status: 404, body: { detail: `Model not found: ${presetId}` } });
    const streamed = client(gatewayB, outsiderKey).chat.completions.create({
      model: presetId,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    await expect(streamed).rejects.toMatchObject({ status: 404 });
    expect(upstream.stats.completions).toBe(before);
  });

  it('lets a group member see and call it; its system prompt and params reach the upstream', async () => {
    await eventually(async () => expect(await modelIds(gatewayB, memberKey)).toContain(presetId));
    const listed = await request<{ data: Array<Record<string, unknown>> }>(gatewayA, 'GET', '/api/models', {
      token: member.token,
    });
    expect(listed.body.data.find((m) => m.id === presetId)).toMatchObject({
      name: 'Patient tutor',
      preset: true,
      owned_by: 'openai',
      info: { base_model_id: 'gpt-fake', write_access: false },
    });

    const completion = await client(gatewayA, memberKey).chat.completions.create({
      model: presetId,
      messages: [{ role: 'user', content: 'Why is the sky blue?' }],
      temperature: 1.9,
    });
    expect(completion.choices[0]!.message.content).toBe('Hello, world!');
    expect(upstream.stats.lastRequest?.body).toMatchObject({
      model: 'gpt-fake',
      temperature: 0.1,
      top_p: 0.5,
      max_tokens: 64,
      seed: 7,
      stop: ['END'],
      messages: [
        { role: 'system', content: 'You are a patient tutor.' },
        { role: 'user', content: 'Why is the sky blue?' },
      ],
    });

    const stream = await client(gatewayB, memberKey).chat.completions.create({
      model: presetId,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello, world!');
    expect(upstream.stats.lastRequest?.body).toMatchObject({
      stream: true,
      messages: [
        { role: 'system', content: 'You are a patient tutor.\nBe brief.' },
        { role: 'user', content: 'hi' },
      ],
    });
    // Readers may not change it.
    const edit = await request(gatewayB, 'POST', `/api/v1/models/model/update?id=${presetId}`, {
      token: member.token,
      body: { base_model_id: 'gpt-fake', name: 'Hijacked' },
    });
    expect(edit.status).toBe(403);
    expect(edit.body).toEqual({
      detail: `You may use the preset "${presetId}" but not change it; ask its owner or an administrator.`,
      code: expect.any(String),
    });
  });

  it('needs workspace.models to create presets; owners then edit and delete their own', async () => {
    const own = `notes-${randomUUID().slice(0, 8)}`;
    const body = { id: own, base_model_id: 'gpt-fake', name: 'Notes', access_control: {} };
    const refused = await request(gatewayA, 'POST', '/api/v1/models/create', { token: outsider.token, body });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      detail: 'You do not have the permission "workspace.models"; ask an administrator.',
      code: expect.any(String),
    });
    const grant = await request(gatewayA, 'POST', '/api/v1/groups/create', {
      token: admin.token,
      body: {
        name: `builders-${randomUUID()}`,
        permissions: { 'workspace.models': true },
        user_ids: [outsider.id],
      },
    });
    expect(grant.status).toBe(200);
    await eventually(async () => {
      const created = await request(gatewayB, 'POST', '/api/v1/models/create', {
        token: outsider.token,
        body,
      });
      expect(created.status).toBe(200);
    });
    // Private ({} access control): the owner sees it, the member does not.
    expect(await modelIds(gatewayA, outsiderKey)).toContain(own);
    expect(await modelIds(gatewayA, memberKey)).not.toContain(own);
    const updated = await request<Record<string, unknown>>(
      gatewayA,
      'POST',
      `/api/v1/models/model/update?id=${own}`,
      {
        token: outsider.token,
        body: { ...body, name: 'Renamed notes', params: { system: 'Take notes.' }, access_control: null },
      },
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      name: 'Renamed notes',
      access_control: null,
      params: { system: 'Take notes.' },
    });
    // Public now: the member sees it on the other copy.
    expect(await modelIds(gatewayB, memberKey)).toContain(own);
    const list = await request<Array<{ id: string; write_access: boolean }>>(
      gatewayB,
      'GET',
      '/api/v1/models/list',
      {
        token: member.token,
      },
    );
    expect(list.body.find((p) => p.id === own)).toMatchObject({ write_access: false });
    expect(
      (await request(gatewayB, 'DELETE', `/api/v1/models/model/delete?id=${own}`, { token: member.token }))
        .status,
    ).toBe(403);
    const deleted = await request(gatewayB, 'DELETE', `/api/v1/models/model/delete?id=${own}`, {
      token: outsider.token,
    });
    expect(deleted).toMatchObject({ status: 200, body: true });
    expect(await modelIds(gatewayA, memberKey)).not.toContain(own);
  });

  it('answers bad input with 400 and a message that names the problem', async () => {
    const cases: Array<[unknown, string]> = [
      [{ base_model_id: 'gpt-fake', name: 'x' }, 'id is required: the model id of the preset.'],
      [{ id: 'a', name: 'x' }, 'base_model_id is required'],
      [
        { id: 'a', base_model_id: 'gpt-fake', name: 'x', params: { temperature: 'hot' } },
        'params.temperature must be a number',
      ],
      [
        { id: 'a', base_model_id: 'gpt-fake', name: 'x', params: { frequency_penalty: 1 } },
        'params supports only system, temperature, top_p, max_tokens, seed and stop',
      ],
      [
        { id: 'a', base_model_id: 'gpt-fake', name: 'x', params: { temperature: 3 } },
        'params.temperature must be between 0 and 2.',
      ],
      [{ id: 'a b', base_model_id: 'gpt-fake', name: 'x' }, 'id must be 1-128 characters'],
      [
        { id: 'a', base_model_id: 'gpt-fake', name: 'x', access_control: { read: { group_ids: 'g' } } },
        'access_control.read.group_ids',
      ],
    ];
    for (const [body, detail] of cases) {
      const res = await request<{ detail: string }>(gatewayA, 'POST', '/api/v1/models/create', {
        token: admin.token,
        body,
      });
      expect(res.status).toBe(400);
      expect(res.body.detail).toContain(detail);
    }
    const duplicate = await request<{ detail: string }>(gatewayB, 'POST', '/api/v1/models/create', {
      token: admin.token,
      body: { id: presetId, base_model_id: 'gpt-fake', name: 'again' },
    });
    expect(duplicate).toMatchObject({
      status: 400,
      body: { detail: `A preset with the id "${presetId}" already exists.` },
    });
    const noId = await request(gatewayA, 'GET', '/api/v1/models/model', { token: admin.token });
    expect(noId).toMatchObject({
      status: 400,
      body: { detail: 'id is required: the preset id, as ?id=...' },
    });
  });
});

/** BYPASS_MODEL_ACCESS_CONTROL: as in Open WebUI, every user sees and may call every model. */
describe('model presets with BYPASS_MODEL_ACCESS_CONTROL', () => {
  let stack: Stack;
  let upstream: FakeLlm;

  beforeAll(async () => {
    upstream = await startFakeLlm({ models: ['gpt-fake'] });
    stack = await startStack({
      copies: { auth: 1, 'model-gateway': 1, gateway: 1 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        OPENAI_API_BASE_URLS: upstream.openaiBaseUrl,
        ENABLE_OLLAMA_API: 'false',
        BYPASS_MODEL_ACCESS_CONTROL: 'true',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await upstream?.close();
  });

  it('shows a private preset to every user and lets them call it, but not edit it', async () => {
    const [gateway] = stack.gatewayUrls as [string];
    const admin = await signUpAs(gateway, 'Admin');
    const user = await signUpAs(gateway, 'User');
    const id = `secret-${randomUUID().slice(0, 8)}`;
    const created = await request(gateway, 'POST', '/api/v1/models/create', {
      token: admin.token,
      body: {
        id,
        base_model_id: 'gpt-fake',
        name: 'Secret',
        params: { system: 'Whisper.' },
        access_control: {},
      },
    });
    expect(created.status).toBe(200);
    const key = await apiKeyOf(gateway, user);
    expect(await modelIds(gateway, key)).toContain(id);
    const completion = await client(gateway, key).chat.completions.create({
      model: id,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]!.message.content).toBe('Hello, world!');
    expect(upstream.stats.lastRequest?.body).toMatchObject({
      messages: [{ role: 'system', content: 'Whisper.' }, {}],
    });
    const edit = await request(gateway, 'POST', `/api/v1/models/model/update?id=${id}`, {
      token: user.token,
      body: { base_model_id: 'gpt-fake', name: 'Mine' },
    });
    expect(edit.status).toBe(403);
  });
});
