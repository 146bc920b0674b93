import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DomainError, ErrorKind } from '@parley/errors';
import { createGrpcClient, type Caller } from '@parley/grpc';
import { modelGatewayV1, presetsV1, usageV1 } from '@parley/proto';
import {
  createTestDatabase,
  eventually,
  FakeLlm,
  InProcessService,
  startFakeLlm,
  TestDatabase,
  testCallerSigning,
  userCaller,
} from '@parley/testing';
import { startModelGatewayCopy } from './model-gateway-harness';

/**
 * Presets, usage and quotas over real gRPC: two in-process copies of the model gateway on one database
 * and one Redis (plus a third with BYPASS_MODEL_ACCESS_CONTROL), an OpenAI-style fake upstream.
 */
describe('presets, usage and quotas (model gateway over gRPC)', () => {
  let db: TestDatabase;
  let upstream: FakeLlm;
  const copies: InProcessService[] = [];
  const clients: Array<ReturnType<typeof clientsFor>> = [];
  const admin = userCaller(randomUUID(), { role: 'admin' });
  // Creating presets needs workspace.models; editing needs write access to the preset.
  const owner = userCaller(randomUUID(), { permissions: ['workspace.models'] });
  const stranger = userCaller(randomUUID(), { groupIds: ['g-other'] });
  const readers = `g-readers-${randomUUID()}`;
  const member = userCaller(randomUUID(), { groupIds: [readers] });
  const editors = `g-editors-${randomUUID()}`;
  const editor = userCaller(randomUUID(), { groupIds: [editors] });

  function clientsFor(target: string) {
    const options = {
      deadlineMs: 10_000,
      peerName: 'model gateway',
      signing: testCallerSigning('model-gateway'),
    };
    return {
      models: createGrpcClient(modelGatewayV1.ModelGatewayService, target, options),
      presets: createGrpcClient(presetsV1.PresetsService, target, options),
      usage: createGrpcClient(usageV1.UsageService, target, options),
    };
  }

  async function startCopy(env: Record<string, string> = {}) {
    const copy = await startModelGatewayCopy(db, upstream, env);
    copies.push(copy);
    const c = clientsFor(copy.grpcTarget);
    clients.push(c);
    return c;
  }

  const complete = (
    c: ReturnType<typeof clientsFor>,
    caller: Caller,
    model: string,
    extra: Record<string, unknown> = {},
  ) =>
    c.models.createChatCompletion(
      {
        bodyJson: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello' }], ...extra }),
      },
      { caller },
    );

  async function streamText(c: ReturnType<typeof clientsFor>, caller: Caller, model: string) {
    let text = '';
    for await (const message of c.models.streamChatCompletion(
      {
        bodyJson: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Say hello' }] }),
      },
      { caller },
    )) {
      if (message.event.case === 'error') throw new Error(message.event.value.message);
      // Chunks ready together arrive as one batch.
      const chunks =
        message.event.case === 'chunkJson'
          ? [message.event.value]
          : message.event.case === 'batch'
            ? message.event.value.chunksJson
            : [];
      for (const chunk of chunks)
        text +=
          (JSON.parse(chunk) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta
            .content ?? '';
    }
    return text;
  }

  const presetInput = (id: string, over: Record<string, unknown> = {}) => ({
    id,
    baseModelId: 'gpt-fake',
    name: `Preset ${id}`,
    systemPrompt: 'You are a pirate.',
    params: { temperature: 0.3, maxTokens: 42, stop: ['ARR'] },
    knowledgeIds: ['kb-1'],
    isActive: true,
    ...over,
  });

  async function rejection(promise: Promise<unknown>): Promise<DomainError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
    return error;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    upstream = await startFakeLlm({ models: ['gpt-fake', 'gpt-other'] });
    await startCopy();
    await startCopy();
  });

  afterAll(async () => {
    for (const c of clients) for (const client of Object.values(c)) client.close();
    for (const copy of copies) await copy.stop();
    await upstream?.close();
    await db?.drop();
  });

  afterEach(() => upstream.set({ reportUsage: true }));

  it('keeps a group preset from other users, and applies its prompt and params for a member', async () => {
    const [a, b] = clients as [ReturnType<typeof clientsFor>, ReturnType<typeof clientsFor>];
    const id = `pirate-${randomUUID().slice(0, 8)}`;
    const created = await a.presets.createPreset(
      {
        preset: presetInput(id, {
          accessControl: { read: { groupIds: [readers] }, write: { groupIds: [editors] } },
        }),
      },
      { caller: owner },
    );
    expect(created.preset).toMatchObject({
      id,
      userId: owner.userId,
      writable: true,
      knowledgeIds: ['kb-1'],
    });

    const seenBy = async (caller: Caller) =>
      (await b.presets.listPresets({}, { caller })).presets.map((p) => p.id).includes(id);
    expect(await seenBy(stranger)).toBe(false);
    expect(await seenBy(member)).toBe(true);
    expect(await seenBy(admin)).toBe(true);
    expect((await rejection(b.presets.getPreset({ id }, { caller: stranger }))).kind).toBe(
      ErrorKind.NotFound,
    );
    const refused = await rejection(complete(b, stranger, id));
    expect(refused.kind).toBe(ErrorKind.NotFound);
    expect(refused.message).toBe(`Model not found: ${id}`);
    // Streamed, the refusal is the only event (the gateway answers with its status).
    await expect(streamText(b, stranger, id)).rejects.toThrow(`Model not found: ${id}`);

    const reply = await complete(b, member, id, { temperature: 1.5, top_p: 0.9 });
    expect(reply.result.case).toBe('completionJson');
    expect(upstream.stats.lastRequest?.body).toMatchObject({
      model: 'gpt-fake',
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 42,
      stop: ['ARR'],
      messages: [
        { role: 'system', content: 'You are a pirate.' },
        { role: 'user', content: 'Say hello' },
      ],
    });
    expect(await streamText(a, member, id)).toBe('Hello, world!');
    expect(upstream.stats.lastRequest?.body).toMatchObject({ model: 'gpt-fake', temperature: 0.3 });
  });

  it('lets write groups edit, refuses readers, and validates input with clear messages', async () => {
    const [a] = clients as [ReturnType<typeof clientsFor>];
    const id = `editable-${randomUUID().slice(0, 8)}`;
    await a.presets.createPreset(
      {
        preset: presetInput(id, {
          accessControl: { read: { groupIds: [readers] }, write: { groupIds: [editors] } },
        }),
      },
      { caller: owner },
    );
    const denied = await rejection(
      a.presets.updatePreset({ id, preset: presetInput(id, { name: 'Mine now' }) }, { caller: member }),
    );
    expect(denied.kind).toBe(ErrorKind.PermissionDenied);
    expect(denied.message).toMatch(/may use the preset .* but not change it/);
    const updated = await a.presets.updatePreset(
      {
        id,
        preset: presetInput(id, { name: 'Renamed', accessControl: { read: { groupIds: [readers] } } }),
      },
      { caller: editor },
    );
    expect(updated.preset).toMatchObject({ name: 'Renamed', userId: owner.userId });
    // The editor removed their own write access: now they no longer see it at all.
    expect((await rejection(a.presets.getPreset({ id }, { caller: editor }))).kind).toBe(ErrorKind.NotFound);

    const invalid: Array<[Record<string, unknown>, RegExp]> = [
      [{ params: { temperature: 5 } }, /temperature must be between 0 and 2/],
      [{ baseModelId: id }, /is a preset/],
      [{ id: 'gpt-other' }, /already a model of a connection/],
      [{ id: 'has space' }, /id must be/],
    ];
    for (const [over, message] of invalid) {
      const error = await rejection(
        a.presets.createPreset(
          { preset: presetInput(`x-${randomUUID().slice(0, 8)}`, over) },
          { caller: owner },
        ),
      );
      expect(error.kind).toBe(ErrorKind.InvalidArgument);
      expect(error.message).toMatch(message);
    }
    const duplicate = await rejection(a.presets.createPreset({ preset: presetInput(id) }, { caller: owner }));
    expect(duplicate.kind).toBe(ErrorKind.AlreadyExists);
    // As Open WebUI, a base no connection serves today is stored (a connection may be down or not added yet).
    const later = `later-${randomUUID().slice(0, 8)}`;
    const stored = await a.presets.createPreset(
      { preset: presetInput(later, { baseModelId: 'not-served-yet' }) },
      { caller: owner },
    );
    expect(stored.preset).toMatchObject({ id: later, baseModelId: 'not-served-yet' });
    await a.presets.deletePreset({ id: later }, { caller: owner });

    await expect(a.presets.deletePreset({ id }, { caller: member })).rejects.toThrow();
    await a.presets.deletePreset({ id }, { caller: admin });
    expect((await rejection(a.presets.getPreset({ id }, { caller: owner }))).kind).toBe(ErrorKind.NotFound);
  });

  it('lets every user see and call every preset with BYPASS_MODEL_ACCESS_CONTROL', async () => {
    const [a] = clients as [ReturnType<typeof clientsFor>];
    const id = `private-${randomUUID().slice(0, 8)}`;
    await a.presets.createPreset(
      {
        preset: presetInput(id, { accessControl: { read: {}, write: {} } }),
      },
      { caller: owner },
    );
    expect((await a.presets.listPresets({}, { caller: stranger })).presets.map((p) => p.id)).not.toContain(
      id,
    );
    const bypass = await startCopy({ BYPASS_MODEL_ACCESS_CONTROL: 'true' });
    const seen = (await bypass.presets.listPresets({}, { caller: stranger })).presets.find(
      (p) => p.id === id,
    );
    expect(seen).toMatchObject({ id, writable: false });
    expect((await complete(bypass, stranger, id)).result.case).toBe('completionJson');
  });

  it('falls back to the first of DEFAULT_MODELS for a preset whose base model is gone, when told to', async () => {
    const [a] = clients as [ReturnType<typeof clientsFor>];
    const id = `orphan-${randomUUID().slice(0, 8)}`;
    // Made while its base model was served (the create checks it), which has since gone away.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    await pg.query(
      `INSERT INTO model_gateway.presets (id, user_id, base_model_id, name, system_prompt, params)
       VALUES ($1, $2, 'retired-model', 'Orphan', 'You are a pirate.', '{"temperature":0.2}')`,
      [id, owner.userId],
    );
    await pg.end();
    const fallback = await startCopy({
      ENABLE_CUSTOM_MODEL_FALLBACK: 'true',
      DEFAULT_MODELS: ' gpt-other,gpt-fake',
    });
    expect((await complete(fallback, admin, id)).result.case).toBe('completionJson');
    expect(upstream.stats.lastRequest?.body).toMatchObject({
      model: 'gpt-other',
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'You are a pirate.' },
        { role: 'user', content: 'Say hello' },
      ],
    });
    // Without the switch (the default), and for a plain unknown model id either way: not found.
    expect((await rejection(complete(a, admin, id))).code).toBe('MODEL_NOT_FOUND');
    expect((await rejection(complete(fallback, admin, 'retired-model'))).code).toBe('MODEL_NOT_FOUND');
  });

  it('records tokens per user, model and day: reported by the upstream, or estimated', async () => {
    const [a, b] = clients as [ReturnType<typeof clientsFor>, ReturnType<typeof clientsFor>];
    const user = userCaller(randomUUID());
    await complete(a, user, 'gpt-fake'); // the fake reports usage: prompt 2, completion 4
    await complete(b, user, 'gpt-fake');
    upstream.set({ reportUsage: false });
    expect(await streamText(b, user, 'gpt-fake')).toBe('Hello, world!'); // estimated: 9 chars in, 13 out

    const today = new Date().toISOString().slice(0, 10);
    // Each copy writes its sums every USAGE_FLUSH_INTERVAL_MS: the row catches up a moment later.
    const list = await eventually('three requests in the usage row', async () => {
      const answer = await a.usage.listUsage(
        { userId: user.userId, fromDay: today, toDay: today },
        { caller: admin },
      );
      return answer.rows[0]?.requests === 3 ? answer : undefined;
    });
    expect(list.total).toBe(1);
    expect(list.rows[0]).toMatchObject({
      userId: user.userId,
      modelId: 'gpt-fake',
      day: today,
      promptTokens: BigInt(2 + 2 + Math.ceil(9 / 4)),
      completionTokens: BigInt(4 + 4 + Math.ceil(13 / 4)),
      requests: 3,
      estimatedRequests: 1,
    });

    const paged = await a.usage.listUsage({ pageSize: 1, page: 1 }, { caller: admin });
    expect(paged.rows).toHaveLength(1);
    expect(paged.total).toBeGreaterThan(1);
    expect(
      (
        await a.usage.listUsage(
          {
            userId: user.userId,
            fromDay: '2001-01-01',
            toDay: '2001-01-02',
          },
          { caller: admin },
        )
      ).total,
    ).toBe(0);
    expect((await rejection(a.usage.listUsage({}, { caller: user }))).kind).toBe(ErrorKind.PermissionDenied);
    const badDay = await rejection(a.usage.listUsage({ fromDay: '22-11-2026' }, { caller: admin }));
    expect(badDay.message).toBe('from must be a date as YYYY-MM-DD.');
  });

  it('marks the last message of a stream, which carries the final chunk of the upstream', async () => {
    const [a] = clients as [ReturnType<typeof clientsFor>];
    const messages: modelGatewayV1.StreamChatCompletionResponse[] = [];
    for await (const message of a.models.streamChatCompletion(
      {
        bodyJson: JSON.stringify({
          model: 'gpt-fake',
          stream: true,
          messages: [{ role: 'user', content: 'Hi' }],
        }),
      },
      { caller: userCaller(randomUUID()) },
    ))
      messages.push(message);
    expect(messages.filter((m) => m.last)).toHaveLength(1);
    const last = messages.at(-1)!;
    expect(last.last).toBe(true);
    // The fake sends its last token, the finish chunk and [DONE] at once: they leave together.
    const chunks =
      last.event.case === 'batch'
        ? last.event.value.chunksJson
        : last.event.case === 'chunkJson'
          ? [last.event.value]
          : [];
    expect(chunks.at(-1)).toContain('"finish_reason":"stop"');
  });

  it('writes the usage it has not flushed yet when a copy shuts down', async () => {
    const [a] = clients as [ReturnType<typeof clientsFor>];
    // A flush interval longer than the test: only the shutdown can write this completion.
    const copy = await startModelGatewayCopy(db, upstream, { USAGE_FLUSH_INTERVAL_MS: '60000' });
    const c = clientsFor(copy.grpcTarget);
    const user = userCaller(randomUUID());
    try {
      expect(await streamText(c, user, 'gpt-fake')).toBe('Hello, world!');
      expect((await a.usage.listUsage({ userId: user.userId }, { caller: admin })).total).toBe(0);
    } finally {
      for (const client of Object.values(c)) client.close();
      await copy.stop();
    }
    const list = await a.usage.listUsage({ userId: user.userId }, { caller: admin });
    expect(list.rows).toEqual([
      expect.objectContaining({ userId: user.userId, modelId: 'gpt-fake', requests: 1 }),
    ]);
  });

  it('enforces a user request limit across copies with RESOURCE_EXHAUSTED and a retry-after', async () => {
    const [a, b] = clients as [ReturnType<typeof clientsFor>, ReturnType<typeof clientsFor>];
    const user = userCaller(randomUUID());
    await a.usage.setUsageLimit(
      {
        subject: usageV1.LimitSubject.USER,
        subjectId: user.userId,
        requestsPerMinute: 2,
      },
      { caller: admin },
    );
    await complete(a, user, 'gpt-fake');
    await complete(a, user, 'gpt-fake');
    const completionsBefore = upstream.stats.completions;
    const refused = await rejection(complete(b, user, 'gpt-fake'));
    expect(refused.kind).toBe(ErrorKind.RateLimited);
    expect(refused.message).toMatch(
      /Request limit reached: at most 2 requests per minute \(your own limit\)/,
    );
    expect(refused.extra.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.extra.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Streamed too: refused before the stream starts, as the call's status.
    const streamed = await rejection(streamText(b, user, 'gpt-fake'));
    expect(streamed.kind).toBe(ErrorKind.RateLimited);
    expect(streamed.extra.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(upstream.stats.completions).toBe(completionsBefore);
    // Admins are never limited.
    expect((await complete(b, admin, 'gpt-fake')).result.case).toBe('completionJson');
  });

  it('enforces a group token limit per day against the recorded usage', async () => {
    const [a, b] = clients as [ReturnType<typeof clientsFor>, ReturnType<typeof clientsFor>];
    const group = `g-quota-${randomUUID()}`;
    const user = userCaller(randomUUID(), { groupIds: [group] });
    const set = await b.usage.setUsageLimit(
      {
        subject: usageV1.LimitSubject.GROUP,
        subjectId: group,
        tokensPerDay: 5n,
      },
      { caller: admin },
    );
    expect(set.limit).toMatchObject({ subjectId: group, tokensPerDay: 5n });
    expect(set.limit?.requestsPerMinute).toBeUndefined();
    await complete(a, user, 'gpt-fake'); // 6 tokens: over the limit from now on
    // Copy a counts them before writing them (its own unwritten sums); b once a's flush wrote them.
    const onA = await rejection(complete(a, user, 'gpt-fake'));
    expect(onA.message).toContain('you have used 6 of 5 tokens per day');
    await eventually('the usage row', async () => {
      const answer = await a.usage.listUsage({ userId: user.userId }, { caller: admin });
      return answer.rows.length ? answer : undefined;
    });
    const refused = await rejection(complete(b, user, 'gpt-fake'));
    expect(refused.kind).toBe(ErrorKind.RateLimited);
    expect(refused.message).toMatch(
      new RegExp(
        `Token limit reached: you have used 6 of 5 tokens per day \\(the limit of your group ${group}\\)`,
      ),
    );
    expect(refused.extra.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.extra.retryAfterSeconds).toBeLessThanOrEqual(86_400);

    const limits = await a.usage.getUsageLimits({}, { caller: admin });
    expect(limits.limits.find((l) => l.subjectId === group)).toMatchObject({ tokensPerDay: 5n });
    await a.usage.setUsageLimit({ subject: usageV1.LimitSubject.GROUP, subjectId: group }, { caller: admin });
    expect(
      (await a.usage.getUsageLimits({}, { caller: admin })).limits.map((l) => l.subjectId),
    ).not.toContain(group);
    expect((await complete(b, user, 'gpt-fake')).result.case).toBe('completionJson');

    const bad = await rejection(
      a.usage.setUsageLimit({ subject: usageV1.LimitSubject.UNSPECIFIED, subjectId: 'x' }, { caller: admin }),
    );
    expect(bad.message).toBe('subject must be USER or GROUP.');
    expect((await rejection(a.usage.getUsageLimits({}, { caller: userCaller(user.userId) }))).kind).toBe(
      ErrorKind.PermissionDenied,
    );
  });
});
