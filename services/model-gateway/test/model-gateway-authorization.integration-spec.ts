import { randomUUID } from 'node:crypto';
import type { DescService } from '@bufbuild/protobuf';
import { DomainError, ErrorKind } from '@parley/errors';
import {
  CallerSigner,
  createGrpcClient,
  GrpcServerHost,
  type Caller,
  type CallerSigning,
  type ServiceHandlers,
  type UserCaller,
} from '@parley/grpc';
import { createLogger } from '@parley/logging';
import { chatTasksV1, chatV1, modelGatewayV1, presetsV1, promptsV1, usageV1 } from '@parley/proto';
import {
  createTestDatabase,
  FakeLlm,
  InProcessService,
  serviceCaller,
  startFakeLlm,
  TestDatabase,
  testCallerSigning,
  testCallerVerifier,
  TEST_CALLER_SECRET,
  userCaller,
} from '@parley/testing';
import { TaskRegistryRepository } from '../src/chat-tasks/task-registry.repository';
import { startModelGatewayCopy } from './model-gateway-harness';

type ChatMethods = typeof chatV1.ChatService extends { method: infer M } ? M : never;

/** The callers every method is tried with. */
const WHO = ['member', 'nonMember', 'admin', 'lacksPermission', 'pending', 'service'] as const;
type Who = (typeof WHO)[number];
type Outcome = 'ok' | ErrorKind;

interface Row {
  /** The request this caller sends (created per call, so a row may set up what it acts on). */
  request: (who: Who) => Promise<Record<string, unknown>> | Record<string, unknown>;
  expected: Record<Who, Outcome>;
  /** Further checks of an answer ('ok' only). */
  check?: (who: Who, reply: unknown, request: Record<string, unknown>) => Promise<void> | void;
  /** After every call, answered or refused: what it changed or left alone, and clean-up. */
  always?: (who: Who, reply: unknown, request: Record<string, unknown>) => Promise<void> | void;
}

const PD = ErrorKind.PermissionDenied;
const NF = ErrorKind.NotFound;
/** Any approved user may; a user waiting for approval and a service may not. */
const USERS: Record<Who, Outcome> = {
  member: 'ok',
  nonMember: 'ok',
  admin: 'ok',
  lacksPermission: 'ok',
  pending: PD,
  service: PD,
};
const ADMINS: Record<Who, Outcome> = { ...USERS, member: PD, nonMember: PD, lacksPermission: PD };
/** What only those who may read the group preset get. */
const READERS: Record<Who, Outcome> = { ...USERS, nonMember: NF };

/** The HTTP status a stream's error event carries, as the kind a call status would have. */
function kindOfHttp(status: number): ErrorKind {
  if (status === 404) return ErrorKind.NotFound;
  if (status === 403) return ErrorKind.PermissionDenied;
  if (status === 429) return ErrorKind.RateLimited;
  return ErrorKind.Unavailable;
}

/**
 * Who may call what, method by method, over real gRPC with signed caller assertions: every method of
 * ModelGatewayService, PresetsService, PromptsService, UsageService and ChatTaskService has a row (a method without one
 * fails the test), tried by a member of the preset's group, a non-member, an admin, a member lacking
 * workspace.models, a user waiting for approval and a service. A fake chat service stands in for chat.
 */
describe('model gateway authorization (every method, every caller)', () => {
  let db: TestDatabase;
  let upstream: FakeLlm;
  let copy: InProcessService;
  let chat: GrpcServerHost;
  /** The chats the fake chat service was asked to add an answer to. */
  const addedAnswers: string[] = [];
  let clients: ReturnType<typeof clientsFor>;

  const group = `g-readers-${randomUUID()}`;
  /** What everyone but lacksPermission may create: presets and prompts. */
  const WORKSPACE = ['workspace.models', 'workspace.prompts'];
  const callers: Record<Who, Caller> = {
    member: userCaller(randomUUID(), { groupIds: [group], permissions: WORKSPACE }),
    nonMember: userCaller(randomUUID(), { groupIds: ['g-other'], permissions: WORKSPACE }),
    admin: userCaller(randomUUID(), { role: 'admin' }),
    lacksPermission: userCaller(randomUUID(), { groupIds: [group] }),
    pending: userCaller(randomUUID(), {
      role: 'pending',
      groupIds: [group],
      permissions: WORKSPACE,
    }),
    service: serviceCaller('gateway'),
  };
  const idOf = (who: Who) => (callers[who] as { userId?: string }).userId ?? '';
  const owner = userCaller(randomUUID(), { permissions: WORKSPACE });
  const presetId = `group-preset-${randomUUID().slice(0, 8)}`;
  const promptCommand = `/group-prompt-${randomUUID().slice(0, 8)}`;

  function clientsFor(target: string, signing: CallerSigning = testCallerSigning('model-gateway')) {
    const options = { deadlineMs: 10_000, peerName: 'model gateway', signing };
    return {
      [modelGatewayV1.ModelGatewayService.typeName]: createGrpcClient(
        modelGatewayV1.ModelGatewayService,
        target,
        options,
      ),
      [presetsV1.PresetsService.typeName]: createGrpcClient(presetsV1.PresetsService, target, options),
      [usageV1.UsageService.typeName]: createGrpcClient(usageV1.UsageService, target, options),
      [promptsV1.PromptsService.typeName]: createGrpcClient(promptsV1.PromptsService, target, options),
      [chatTasksV1.ChatTaskService.typeName]: createGrpcClient(chatTasksV1.ChatTaskService, target, options),
    } as unknown as Record<
      string,
      Record<string, (request: unknown, options: { caller: Caller }) => unknown> & { close(): void }
    >;
  }

  const presets = () => clients[presetsV1.PresetsService.typeName]!;
  const tasks = () => clients[chatTasksV1.ChatTaskService.typeName]!;
  const prompts = () => clients[promptsV1.PromptsService.typeName]!;

  /** One call as `caller`: a unary answer, or a stream's messages (an error event becomes its kind). */
  async function invoke(service: DescService, method: string, request: unknown, caller: Caller) {
    const desc = service.methods.find((m) => m.localName === method)!;
    const reply = clients[service.typeName]![method]!(request, { caller });
    if (desc.methodKind === 'unary') return reply as Promise<unknown>;
    const messages: Array<
      Record<string, { case?: string; value?: { httpStatus?: number; message?: string } }>
    > = [];
    for await (const message of reply as AsyncIterable<(typeof messages)[number]>) {
      const part = message.event ?? message.part;
      if (part?.case === 'error')
        throw new DomainError(kindOfHttp(part.value!.httpStatus!), part.value!.message ?? '');
      messages.push(message);
    }
    return messages;
  }

  async function outcomeOf(promise: Promise<unknown>): Promise<{ outcome: Outcome; reply?: unknown }> {
    try {
      return { outcome: 'ok', reply: await promise };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { outcome: error.kind };
    }
  }

  /**
   * Repeats a check until it holds (each try is a gRPC round trip, no timer): for what another part of
   * the service finishes after the call returned, such as a stopped task leaving the registry.
   */
  async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await check();
      } catch (error) {
        if (Date.now() > until) throw error;
      }
    }
  }

  const presetInput = (id: string) => ({
    id,
    baseModelId: 'gpt-fake',
    name: `Preset ${id}`,
    systemPrompt: 'Be brief.',
    isActive: true,
    accessControl: { read: { groupIds: [group] }, write: { userIds: [owner.userId] } },
  });
  const ownPreset = async () => {
    const id = `p-${randomUUID().slice(0, 8)}`;
    await presets().createPreset!({ preset: presetInput(id) }, { caller: owner });
    return id;
  };
  const promptInput = (command: string) => ({
    command,
    title: `Prompt ${command}`,
    content: 'Summarize this.',
    accessControl: { read: { groupIds: [group] }, write: { userIds: [owner.userId] } },
  });
  const ownPrompt = async () => {
    const command = `/p-${randomUUID().slice(0, 8)}`;
    await prompts().createPrompt!({ prompt: promptInput(command) }, { caller: owner });
    return command;
  };
  const body = (model: string) =>
    JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello' }] });

  /** A task of the member's that keeps running (the upstream hangs) until stopped. */
  async function runningTaskOfMember(): Promise<{ taskId: string; chatId: string }> {
    const chatId = `c-${randomUUID()}`;
    const reply = (await tasks().startChatTask!(
      { bodyJson: body('gpt-fake'), chatId, messageId: randomUUID() },
      { caller: callers.member },
    )) as { taskId: string };
    return { taskId: reply.taskId, chatId };
  }
  const memberTasksIn = async (chatId: string) =>
    ((await tasks().listChatTasks!({ chatId }, { caller: callers.member })) as { taskIds: string[] }).taskIds;

  const ROWS: Record<string, Row> = {
    'parley.modelgateway.v1.ModelGatewayService.listModels': {
      request: () => ({}),
      expected: USERS,
      check: (_who, reply) =>
        expect((reply as { models: Array<{ id: string }> }).models.map((m) => m.id)).toContain('gpt-fake'),
    },
    'parley.modelgateway.v1.ModelGatewayService.createChatCompletion': {
      request: () => ({ bodyJson: body(presetId) }),
      expected: READERS,
      check: (_who, reply) =>
        expect((reply as { result: { case: string } }).result.case).toBe('completionJson'),
    },
    'parley.modelgateway.v1.ModelGatewayService.streamChatCompletion': {
      request: () => ({ bodyJson: body(presetId) }),
      expected: READERS,
      check: (_who, reply) => expect((reply as unknown[]).length).toBeGreaterThan(0),
    },
    // Beyond model lists and model calls, /ollama/* is for admins: an admin gets past the check to
    // "no Ollama connection is enabled"; everyone else is refused first.
    'parley.modelgateway.v1.ModelGatewayService.proxyUpstream': {
      request: () => ({ kind: modelGatewayV1.ConnectionKind.OLLAMA, method: 'POST', path: 'api/pull' }),
      expected: { ...ADMINS, admin: NF },
    },
    'parley.modelgateway.v1.ModelGatewayService.getConnectionsConfig': {
      request: () => ({ kind: modelGatewayV1.ConnectionKind.OPENAI }),
      expected: ADMINS,
      check: (_who, reply) => expect((reply as { connections: unknown[] }).connections).toHaveLength(1),
    },
    // Ollama is off and has no connections: the admin's update leaves it so.
    'parley.modelgateway.v1.ModelGatewayService.updateConnectionsConfig': {
      request: () => ({ kind: modelGatewayV1.ConnectionKind.OLLAMA, enabled: false, connections: [] }),
      expected: ADMINS,
      check: (_who, reply) => expect(reply).toMatchObject({ enabled: false, connections: [] }),
    },
    'parley.modelgateway.v1.ModelGatewayService.verifyConnection': {
      request: () => ({ kind: modelGatewayV1.ConnectionKind.OPENAI, baseUrl: upstream.openaiBaseUrl }),
      expected: ADMINS,
      check: (_who, reply) => expect((reply as { result: { case: string } }).result.case).toBe('modelsJson'),
    },

    'parley.modelgateway.v1.PresetsService.listPresets': {
      request: () => ({}),
      expected: USERS,
      check: (who, reply) =>
        expect(
          (reply as { presets: Array<{ id: string }> }).presets.map((p) => p.id).includes(presetId),
        ).toBe(who !== 'nonMember'),
    },
    'parley.modelgateway.v1.PresetsService.getPreset': {
      request: () => ({ id: presetId }),
      expected: READERS,
      check: (who, reply) =>
        expect((reply as { preset: { id: string; writable: boolean } }).preset).toMatchObject({
          id: presetId,
          writable: who === 'admin',
        }),
    },
    'parley.modelgateway.v1.PresetsService.createPreset': {
      request: () => ({ preset: presetInput(`new-${randomUUID().slice(0, 8)}`) }),
      expected: { ...USERS, lacksPermission: PD },
      check: (who, reply) => expect((reply as { preset: { userId: string } }).preset.userId).toBe(idOf(who)),
    },
    // Readers may use the preset but not change it; only its owner's write rule and admins may.
    'parley.modelgateway.v1.PresetsService.updatePreset': {
      request: async () => {
        const id = await ownPreset();
        return { id, preset: { ...presetInput(id), name: 'Renamed' } };
      },
      expected: { ...READERS, member: PD, lacksPermission: PD },
      always: async (who, _reply, request) => {
        const { preset } = (await presets().getPreset!({ id: request.id }, { caller: owner })) as {
          preset: { name: string };
        };
        expect(preset.name).toBe(who === 'admin' ? 'Renamed' : `Preset ${String(request.id)}`);
      },
    },
    'parley.modelgateway.v1.PresetsService.deletePreset': {
      request: async () => ({ id: await ownPreset() }),
      expected: { ...READERS, member: PD, lacksPermission: PD },
      always: async (who, _reply, request) => {
        const left = await outcomeOf(
          presets().getPreset!({ id: request.id }, { caller: owner }) as Promise<unknown>,
        );
        expect(left.outcome).toBe(who === 'admin' ? NF : 'ok');
      },
    },

    // Prompts follow the presets' rules, with workspace.prompts to create.
    'parley.modelgateway.v1.PromptsService.listPrompts': {
      request: () => ({}),
      expected: USERS,
      check: (who, reply) =>
        expect(
          (reply as { prompts: Array<{ command: string }> }).prompts
            .map((p) => p.command)
            .includes(promptCommand),
        ).toBe(who !== 'nonMember'),
    },
    'parley.modelgateway.v1.PromptsService.getPrompt': {
      // Without the slash, as Open WebUI's routes carry it.
      request: () => ({ command: promptCommand.slice(1) }),
      expected: READERS,
      check: (who, reply) =>
        expect((reply as { prompt: { command: string; writable: boolean } }).prompt).toMatchObject({
          command: promptCommand,
          writable: who === 'admin',
        }),
    },
    'parley.modelgateway.v1.PromptsService.createPrompt': {
      request: () => ({ prompt: promptInput(`/new-${randomUUID().slice(0, 8)}`) }),
      expected: { ...USERS, lacksPermission: PD },
      check: (who, reply) => expect((reply as { prompt: { userId: string } }).prompt.userId).toBe(idOf(who)),
    },
    'parley.modelgateway.v1.PromptsService.updatePrompt': {
      request: async () => {
        const command = await ownPrompt();
        return { command, prompt: { ...promptInput(command), title: 'Renamed' } };
      },
      expected: { ...READERS, member: PD, lacksPermission: PD },
      always: async (who, _reply, request) => {
        const { prompt } = (await prompts().getPrompt!({ command: request.command }, { caller: owner })) as {
          prompt: { title: string };
        };
        expect(prompt.title).toBe(who === 'admin' ? 'Renamed' : `Prompt ${String(request.command)}`);
      },
    },
    'parley.modelgateway.v1.PromptsService.deletePrompt': {
      request: async () => ({ command: await ownPrompt() }),
      expected: { ...READERS, member: PD, lacksPermission: PD },
      always: async (who, _reply, request) => {
        const left = await outcomeOf(
          prompts().getPrompt!({ command: request.command }, { caller: owner }) as Promise<unknown>,
        );
        expect(left.outcome).toBe(who === 'admin' ? NF : 'ok');
      },
    },

    // Usage is admin-only: no user sees anyone's usage or limits, their own included.
    'parley.modelgateway.v1.UsageService.listUsage': {
      request: () => ({ userId: idOf('member') }),
      expected: ADMINS,
      check: (_who, reply) =>
        expect(
          (reply as { rows: Array<{ userId: string }> }).rows.every((r) => r.userId === idOf('member')),
        ).toBe(true),
    },
    'parley.modelgateway.v1.UsageService.getUsageLimits': {
      request: () => ({}),
      expected: ADMINS,
    },
    'parley.modelgateway.v1.UsageService.setUsageLimit': {
      request: () => ({
        subject: usageV1.LimitSubject.USER,
        subjectId: randomUUID(),
        requestsPerMinute: 100,
      }),
      expected: ADMINS,
      check: (_who, reply) =>
        expect((reply as { limit: { requestsPerMinute: number } }).limit.requestsPerMinute).toBe(100),
    },

    // On the group preset: who may not read it may not start an answer with it either.
    'parley.modelgateway.v1.ChatTaskService.startChatTask': {
      request: () => ({ bodyJson: body(presetId), chatId: `c-${randomUUID()}`, messageId: randomUUID() }),
      expected: READERS,
      check: async (who, reply, request) => {
        const { taskId, created } = reply as { taskId: string; created: boolean };
        expect(created).toBe(true);
        // The task keeps who started it, for whichever copy runs, finishes or sweeps it.
        const record = await copy.running.app.get(TaskRegistryRepository).get(taskId);
        const caller = callers[who] as UserCaller;
        expect(record?.caller).toEqual({
          userId: caller.userId,
          role: caller.role,
          groupIds: [...caller.groupIds],
          permissions: [...caller.permissions],
        });
        expect(addedAnswers).toContain(request.chatId);
        await tasks().stopTask!({ taskId }, { caller });
      },
    },
    // The member's task: they and admins may stop it; for anyone else it does not exist.
    'parley.modelgateway.v1.ChatTaskService.stopTask': {
      request: async () => runningTaskOfMember(),
      expected: { ...USERS, nonMember: NF, lacksPermission: NF },
      always: async (who, _reply, request) => {
        const chatId = String(request.chatId);
        if (who === 'member' || who === 'admin')
          return eventually(async () => expect(await memberTasksIn(chatId)).toEqual([]));
        // Refused: it is still running, and its owner stops it.
        expect(await memberTasksIn(chatId)).toEqual([request.taskId]);
        await tasks().stopTask!({ taskId: request.taskId }, { caller: callers.member });
      },
    },
    'parley.modelgateway.v1.ChatTaskService.stopChatTasks': {
      request: async () => runningTaskOfMember(),
      expected: USERS,
      check: (who, reply, request) =>
        // Only the caller's own tasks in the chat: nobody else stops the member's.
        expect((reply as { taskIds: string[] }).taskIds).toEqual(who === 'member' ? [request.taskId] : []),
      always: async (who, _reply, request) => {
        if (who !== 'member') {
          expect(await memberTasksIn(String(request.chatId))).toEqual([request.taskId]);
          await tasks().stopTask!({ taskId: request.taskId }, { caller: callers.member });
        }
      },
    },
    'parley.modelgateway.v1.ChatTaskService.listChatTasks': {
      request: async () => runningTaskOfMember(),
      expected: USERS,
      // Nobody sees another user's tasks, admins included.
      check: (who, reply, request) =>
        expect((reply as { taskIds: string[] }).taskIds).toEqual(who === 'member' ? [request.taskId] : []),
      always: async (_who, _reply, request) => {
        await tasks().stopTask!({ taskId: request.taskId }, { caller: callers.member });
      },
    },
  };

  const SERVICES: DescService[] = [
    modelGatewayV1.ModelGatewayService,
    presetsV1.PresetsService,
    promptsV1.PromptsService,
    usageV1.UsageService,
    chatTasksV1.ChatTaskService,
  ] as unknown as DescService[];
  const methods = SERVICES.flatMap((service) =>
    service.methods.map((method) => ({
      service,
      method: method.localName,
      key: `${service.typeName}.${method.localName}`,
    })),
  );

  beforeAll(async () => {
    db = await createTestDatabase();
    upstream = await startFakeLlm({ models: ['gpt-fake'] });
    const logger = createLogger({ service: 'fake-chat', level: 'silent' });
    chat = new GrpcServerHost(logger, { callers: testCallerVerifier('chat') });
    const handlers: Partial<ServiceHandlers<ChatMethods>> = {
      addMessage: async (request) => {
        addedAnswers.push(request.chatId);
        const message = JSON.parse(request.messageJson) as Record<string, unknown>;
        return { created: true, result: { messageJson: JSON.stringify({ ...message, done: false }) } };
      },
      getChat: async (request) => ({ chat: { id: request.chatId, title: 'Named already' } }),
    };
    chat.addService(
      chatV1.ChatService,
      new Proxy(handlers, {
        get: (target, name: string) => target[name as keyof typeof target] ?? (async () => ({})),
      }) as ServiceHandlers<ChatMethods>,
    );
    const chatPort = await chat.listen(0, '127.0.0.1');
    chat.setServing(true);

    copy = await startModelGatewayCopy(db, upstream, {
      CHAT_GRPC_URL: `127.0.0.1:${chatPort}`,
      CHAT_TASK_MAX_PER_USER: '100',
      MODEL_GATEWAY_CLUSTER: `authz-${randomUUID().slice(0, 8)}`,
    });
    clients = clientsFor(copy.grpcTarget);
    await presets().createPreset!({ preset: presetInput(presetId) }, { caller: owner });
    await prompts().createPrompt!({ prompt: promptInput(promptCommand) }, { caller: owner });
  });

  afterAll(async () => {
    for (const client of Object.values(clients ?? {})) client.close();
    await copy?.stop();
    await chat?.drain(1_000);
    await upstream?.close();
    await db?.drop();
  });

  it('lets every approved user list models through the pass-through', async () => {
    for (const who of ['member', 'nonMember', 'lacksPermission'] as const) {
      const reply = (await invoke(
        modelGatewayV1.ModelGatewayService as unknown as DescService,
        'proxyUpstream',
        { kind: modelGatewayV1.ConnectionKind.OPENAI, method: 'GET', path: 'models' },
        callers[who],
      )) as Array<{ part: { case: string; value: { status: number } } }>;
      expect({ who, part: reply[0]?.part }).toMatchObject({
        who,
        part: { case: 'head', value: { status: 200 } },
      });
    }
  });

  it('has a row for every method of the five services', () => {
    expect(methods.filter((m) => !ROWS[m.key]).map((m) => m.key)).toEqual([]);
    expect(Object.keys(ROWS).filter((key) => !methods.some((m) => m.key === key))).toEqual([]);
  });

  describe.each(methods.map((m) => [m.key, m] as const))('%s', (key, { service, method }) => {
    beforeAll(() => {
      // Chat tasks keep running until stopped: the upstream accepts their completion and never answers.
      if (service.typeName === chatTasksV1.ChatTaskService.typeName)
        upstream.set({ failure: { mode: 'hang' } });
    });
    afterAll(() => upstream.set({ failure: undefined }));

    it.each(WHO.map((who) => [who]))('as %s', async (who) => {
      const row = ROWS[key];
      if (!row) throw new Error(`${key} has no row in the authorization table`);
      const request = await row.request(who);
      const { outcome, reply } = await outcomeOf(invoke(service, method, request, callers[who]));
      expect({ key, who, outcome }).toEqual({ key, who, outcome: row.expected[who] });
      if (outcome === 'ok') await row.check?.(who, reply, request);
      await row.always?.(who, reply, request);
    });
  });

  it('refuses calls without, with an expired or with a forged assertion as UNAUTHENTICATED', async () => {
    const now = Math.floor(Date.now() / 1000);
    const signings: Record<string, CallerSigning> = {
      none: { signer: { sign: async () => '' } as unknown as CallerSigner, audience: 'model-gateway' },
      expired: {
        signer: new CallerSigner({ secrets: [TEST_CALLER_SECRET], issuer: 'test', now: () => now - 3_600 }),
        audience: 'model-gateway',
      },
      forged: testCallerSigning('model-gateway', 'a secret nobody installed, long enough'),
      'for another service': testCallerSigning('chat'),
    };
    for (const [name, signing] of Object.entries(signings)) {
      const bad = clientsFor(copy.grpcTarget, signing);
      try {
        for (const { service, method } of methods) {
          const saved = clients;
          clients = bad;
          try {
            const { outcome } = await outcomeOf(invoke(service, method, {}, callers.admin));
            expect({ name, method, outcome }).toEqual({ name, method, outcome: ErrorKind.Unauthenticated });
          } finally {
            clients = saved;
          }
        }
      } finally {
        for (const client of Object.values(bad)) client.close();
      }
    }
  });
});
