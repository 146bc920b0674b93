import { FakeLlm, Stack, startFakeLlm, startStack } from '@parley/testing';
import { request, SignedUp, signUpsFrom, until } from './support/http';

const signUpAs = signUpsFrom('2001:db8:7a5::');

interface Completion {
  choices?: Array<{ message: { content: string } }>;
  detail?: string;
  code?: string;
}

/** The user message text the upstream was sent (tasks send one user message: the rendered prompt). */
const promptSent = (llm: FakeLlm) => {
  const messages = llm.stats.lastRequest?.body.messages as Array<{ content: string }> | undefined;
  return messages?.[0]?.content ?? '';
};

/**
 * Open WebUI's conversation tasks (/api/v1/tasks/*: title, tags, follow-ups, queries, autocomplete) through
 * two gateway copies and two model-gateway copies, sent as Open WebUI's frontend sends them: each is one
 * completion with the task model (TASK_MODEL for a local model, TASK_MODEL_EXTERNAL for an external one),
 * the answer in OpenAI's shape; the admin's settings change on one copy and apply on the other.
 */
describe('conversation tasks through two copies', () => {
  let stack: Stack;
  let external: FakeLlm;
  let local: FakeLlm;
  let gatewayA: string;
  let gatewayB: string;
  let admin: SignedUp;
  let user: SignedUp;
  const conversation = [
    { role: 'user', content: 'Plan three days in Rome for me' },
    { role: 'assistant', content: 'Day one: the Colosseum and the Forum.' },
  ];

  const task = (gateway: string, path: string, body: Record<string, unknown>, who = user) =>
    request<Completion>(gateway, 'POST', `/api/v1/tasks/${path}/completions`, { token: who.token, body });
  const updateConfig = (gateway: string, body: Record<string, unknown>, who = admin) =>
    request<Record<string, unknown> & { detail?: string; code?: string }>(
      gateway,
      'POST',
      '/api/v1/tasks/config/update',
      { token: who.token, body },
    );
  /** The config as copy `gateway` answers it, once `done` holds (a change made on the other copy). */
  const configOn = async (gateway: string, done: (c: Record<string, unknown>) => boolean) => {
    const res = await until(
      () => request<Record<string, unknown>>(gateway, 'GET', '/api/v1/tasks/config', { token: user.token }),
      (r) => r.status === 200 && done(r.body),
    );
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    external = await startFakeLlm({
      models: ['chat-ext', 'task-ext'],
      tokens: ['{"title": ', '"Rome in three days"}'],
    });
    local = await startFakeLlm({ models: ['chat-local', 'task-local'], tokens: ['{"title": "Local"}'] });
    stack = await startStack({
      copies: { auth: 1, 'model-gateway': 2, gateway: 2 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        OPENAI_API_BASE_URLS: external.openaiBaseUrl,
        OPENAI_API_KEYS: 'sk-fake',
        OLLAMA_BASE_URLS: local.url,
      },
    });
    [gatewayA, gatewayB] = stack.gatewayUrls as [string, string];
    admin = await signUpAs(gatewayA, 'Admin');
    user = await signUpAs(gatewayB, 'User');
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await external?.close();
    await local?.close();
  });

  it("writes a title with the conversation's model while no task model is set, in OpenAI's shape", async () => {
    const res = await task(gatewayA, 'title', { model: 'chat-ext', messages: conversation, chat_id: 'c1' });
    expect(res.status).toBe(200);
    // Open WebUI's frontend reads the JSON inside the message content.
    const content = res.body.choices![0]!.message.content;
    expect(JSON.parse(content)).toEqual({ title: 'Rome in three days' });
    expect(external.stats.lastRequest?.body).toMatchObject({ model: 'chat-ext', stream: false });
    expect(promptSent(external)).toContain('Plan three days in Rome');
    expect(promptSent(external)).toContain('{"title": "..."}');
  });

  it('uses TASK_MODEL for a local model and TASK_MODEL_EXTERNAL for an external one, set on the other copy', async () => {
    const saved = await updateConfig(gatewayB, { TASK_MODEL: 'task-local', TASK_MODEL_EXTERNAL: 'task-ext' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ TASK_MODEL: 'task-local', TASK_MODEL_EXTERNAL: 'task-ext' });
    expect(await configOn(gatewayA, (c) => c.TASK_MODEL === 'task-local')).toMatchObject({
      TASK_MODEL_EXTERNAL: 'task-ext',
    });

    // Each model-gateway copy learns of the change (NATS), so every call below uses the task models.
    for (let i = 0; i < 4; i++) {
      const ext = await task(i % 2 ? gatewayA : gatewayB, 'tags', {
        model: 'chat-ext',
        messages: conversation,
      });
      expect(ext.status).toBe(200);
      expect(external.stats.lastRequest?.body.model).toBe('task-ext');
      const loc = await task(i % 2 ? gatewayB : gatewayA, 'follow_up', {
        model: 'chat-local',
        messages: conversation,
      });
      expect(loc.status).toBe(200);
      expect(local.stats.lastRequest?.body.model).toBe('task-local');
      expect(promptSent(local)).toContain('follow_ups');
    }
  });

  it('answers {detail} for a task switched off, and uses the admin template with its placeholders', async () => {
    expect((await updateConfig(gatewayA, { ENABLE_TAGS_GENERATION: false })).status).toBe(200);
    await configOn(gatewayB, (c) => c.ENABLE_TAGS_GENERATION === false);
    const off = await task(gatewayB, 'tags', { model: 'chat-ext', messages: conversation });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ detail: 'Tags generation is disabled' });

    // Autocomplete is off unless switched on (Open WebUI's default).
    expect(
      (await task(gatewayA, 'auto', { model: 'chat-ext', prompt: 'Plan a', type: 'general' })).body,
    ).toEqual({
      detail: 'Autocompletion generation is disabled',
    });

    const template = 'Name this chat. Last: {{MESSAGES:END:1}} Date: {{CURRENT_DATE}}';
    expect((await updateConfig(gatewayA, { TITLE_GENERATION_PROMPT_TEMPLATE: template })).status).toBe(200);
    await configOn(gatewayB, (c) => c.TITLE_GENERATION_PROMPT_TEMPLATE === template);
    const titled = await task(gatewayB, 'title', { model: 'chat-ext', messages: conversation });
    expect(titled.status).toBe(200);
    expect(promptSent(external)).toMatch(
      /^Name this chat\. Last: ASSISTANT: Day one: the Colosseum.* Date: \d{4}-\d\d-\d\d$/,
    );
    expect(promptSent(external)).not.toContain('Plan three days');

    // null gives the environment's value back (Parley's own template).
    await updateConfig(gatewayA, { TITLE_GENERATION_PROMPT_TEMPLATE: null, ENABLE_TAGS_GENERATION: null });
    expect(await configOn(gatewayB, (c) => c.ENABLE_TAGS_GENERATION === true)).toMatchObject({
      TITLE_GENERATION_PROMPT_TEMPLATE: '',
    });
  });

  it('refuses bad input with 400 naming it, long autocomplete text, and plain users changing settings', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['title', { messages: conversation }, /model/],
      ['queries', { model: 'chat-ext', messages: conversation, type: 'everything' }, /web_search/],
      ['title', { model: 'chat-ext', messages: 'hello' }, /messages/],
    ];
    for (const [path, body, message] of cases) {
      const res = await task(gatewayA, path, body);
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(message);
    }
    expect((await task(gatewayA, 'title', { model: 'no-such-model', messages: conversation })).status).toBe(
      404,
    );

    await updateConfig(gatewayB, {
      ENABLE_AUTOCOMPLETE_GENERATION: true,
      AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH: 10,
    });
    await configOn(gatewayA, (c) => c.AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH === 10);
    const long = await task(gatewayA, 'auto', { model: 'chat-ext', prompt: 'x'.repeat(11), type: 'general' });
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ code: 'INPUT_TOO_LONG' });
    expect(long.body.detail).toContain('AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH');
    expect(
      (await task(gatewayA, 'auto', { model: 'chat-ext', prompt: 'Plan a', type: 'general' })).status,
    ).toBe(200);

    const denied = await updateConfig(gatewayA, { TASK_MODEL: 'x' }, user);
    expect(denied.status).toBe(403);
    const unknown = await updateConfig(gatewayA, { TASK_MODEL_EVERYWHERE: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/TASK_MODEL_EVERYWHERE is not a task setting/);
    const wrongType = await updateConfig(gatewayA, { ENABLE_TITLE_GENERATION: 'yes' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.detail).toMatch(/^ENABLE_TITLE_GENERATION/);
  });
});
