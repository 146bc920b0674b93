import { randomUUID } from 'node:crypto';
import { FakeLlm, Stack, startFakeLlm, startStack } from '@parley/testing';
import { request, signUp, SignedUp } from './support/http';
import { CompletionAssembler, readCompletion } from './support/realtime-clients';
import { connectSocket, RecordingSocket, waitFor } from './support/sockets';

const MODEL = 'writer-fake';
const TOKENS = Array.from({ length: 12 }, (_, i) => `word${i} `);
const LEASE_MS = 1_500;

interface ChatMessage {
  id: string;
  parentId: string | null;
  role: string;
  content: string;
  done?: boolean;
  error?: { content: string };
  usage?: Record<string, unknown>;
}

interface ChatJson {
  id: string;
  title: string;
  chat: { title: string; history: { currentId: string; messages: Record<string, ChatMessage> } };
}

/**
 * Chat completions as tasks (docs/chat-tasks.md) through two copies of gateway, chat and model-gateway
 * and realtime: gateway copy i talks to model-gateway copy i and realtime copy i, so a task started
 * through gateway A runs on model-gateway A, a stop sent to gateway B has to cross copies (NATS) to reach
 * it, and the test's socket (through gateway B) sits on realtime B. Answers arrive on the socket as
 * `chat:completion` deltas and are saved in the chat service.
 */
describe('chat completion tasks across copies', () => {
  let stack: Stack;
  let fake: FakeLlm;
  let gatewayA: string;
  let gatewayB: string;
  let admin: SignedUp;
  let alice: SignedUp;
  let bob: SignedUp;
  let socket: RecordingSocket;

  beforeAll(async () => {
    fake = await startFakeLlm({ models: [MODEL], tokens: TOKENS });
    stack = await startStack({
      copies: { auth: 1, chat: 2, 'model-gateway': 2, realtime: 2, gateway: 2 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        OPENAI_API_BASE_URLS: fake.openaiBaseUrl,
        OPENAI_API_KEYS: '',
        ENABLE_OLLAMA_API: 'false',
        CHAT_TASK_LEASE_MS: String(LEASE_MS),
        CHAT_TASK_SAVE_INTERVAL_MS: '100',
        SHUTDOWN_GRACE_MS: '2500',
      },
    });
    [gatewayA, gatewayB] = stack.gatewayUrls as [string, string];
    // The first account is the admin; Alice and Bob are plain users, as the checks below need.
    admin = await signUp(gatewayA, 'Ada', `ada-${randomUUID()}@example.com`);
    alice = await signUp(gatewayA, 'Alice', `alice-${randomUUID()}@example.com`);
    bob = await signUp(gatewayB, 'Bob', `bob-${randomUUID()}@example.com`);
    socket = await connectSocket(gatewayB, alice.token);
  });

  afterAll(async () => {
    socket?.close();
    await stack?.stop();
    await fake?.close();
  });

  // A test is over when the fake upstream is idle: a chat's first answer is followed by a title request
  // (model-gateway starts it after the answer ends), and one still running at a test's end was counted
  // as a second open stream by the next test (the flaky "2 open upstream streams" of the stop test).
  afterEach(async () => {
    fake.set({ tokens: TOKENS, tokenDelayMs: 0, failure: undefined });
    await fake.waitFor((s) => s.activeStreams === 0, 20_000);
  });

  /** A chat of Alice's with one user message; returns the ids. */
  async function chatWithQuestion(who = alice, text = 'Write something, please.') {
    const created = await request<{ id: string }>(gatewayA, 'POST', '/api/v1/chats/new', {
      token: who.token,
      body: { chat: { models: [MODEL] } },
    });
    expect(created.status).toBe(200);
    const question = await request<{ message: { id: string } }>(
      gatewayA,
      'POST',
      `/api/v1/chats/${created.body.id}/messages`,
      { token: who.token, body: { message: { role: 'user', content: text } } },
    );
    expect(question.status).toBe(200);
    return { chatId: created.body.id, questionId: question.body.message.id, text };
  }

  function startAnswer(
    gateway: string,
    chat: { chatId: string; questionId: string; text: string },
    extra: Record<string, unknown> = {},
    who = alice,
  ) {
    const answerId = randomUUID();
    return request<{ status: boolean; task_id: string; detail?: string }>(
      gateway,
      'POST',
      '/api/chat/completions',
      {
        token: who.token,
        body: {
          model: MODEL,
          stream: true,
          messages: [{ role: 'user', content: chat.text }],
          chat_id: chat.chatId,
          id: answerId,
          parent_id: chat.questionId,
          ...extra,
        },
      },
    ).then((res) => ({ ...res, answerId }));
  }

  function deltasOf(messageId: string): CompletionAssembler {
    const assembler = new CompletionAssembler();
    for (const event of socket.events)
      if (event.name === 'chat:completion' && readCompletion(event.payload).messageId === messageId)
        assembler.apply(event.payload);
    return assembler;
  }

  const assembled = (messageId: string) => deltasOf(messageId).messages.get(messageId);

  async function chat(chatId: string, who = alice): Promise<ChatJson> {
    const res = await request<ChatJson>(gatewayB, 'GET', `/api/v1/chats/${chatId}`, { token: who.token });
    expect(res.status).toBe(200);
    return res.body;
  }

  it('streams the answer to the socket, saves it whole, and titles the chat after its first answer', async () => {
    const question = await chatWithQuestion();
    const started = await startAnswer(gatewayA, question);
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ status: true, task_id: expect.any(String) });

    await waitFor(() => assembled(started.answerId)?.done === true, 15_000, 'the last delta');
    const live = assembled(started.answerId)!;
    expect(live.error).toBeUndefined();
    expect(live.content).toBe(TOKENS.join(''));

    const saved = (await chat(question.chatId)).chat.history.messages[started.answerId]!;
    expect(saved).toMatchObject({
      role: 'assistant',
      parentId: question.questionId,
      content: TOKENS.join(''),
      done: true,
      model: MODEL,
    });
    expect(saved.usage).toMatchObject({ completion_tokens: TOKENS.length });

    const taskEvents = socket.events.filter(
      (e) => (e.payload as { task?: { id?: string } })?.task?.id === started.body.task_id,
    );
    expect(taskEvents.map((e) => e.name)).toEqual(['task:started', 'task:stopped']);
    expect(taskEvents[1]!.payload).toMatchObject({
      task: { reason: 'finished', message_id: started.answerId },
    });

    // The title is written with the chat's model (the fake answers with its tokens) and pushed.
    await waitFor(
      () =>
        socket.events.some(
          (e) =>
            e.name === 'chat:title' && (e.payload as { chat: { id: string } }).chat.id === question.chatId,
        ),
      10_000,
      'chat:title',
    );
    expect((await chat(question.chatId)).title).toBe(TOKENS.join('').trim());
  });

  it('answers a retried start with the same task and refuses bad requests with clear messages', async () => {
    fake.set({ tokenDelayMs: 30 });
    const question = await chatWithQuestion();
    const first = await startAnswer(gatewayA, question);
    const body = {
      model: MODEL,
      messages: [{ role: 'user', content: 'again' }],
      chat_id: question.chatId,
      id: first.answerId,
      parent_id: question.questionId,
    };
    const retry = await request(gatewayB, 'POST', '/api/chat/completions', { token: alice.token, body });
    expect(retry.body).toEqual({ status: true, task_id: first.body.task_id });

    const missingId = await request<{ detail: string }>(gatewayA, 'POST', '/api/chat/completions', {
      token: alice.token,
      body: { ...body, id: undefined },
    });
    expect(missingId.status).toBe(400);
    expect(missingId.body.detail).toMatch(/id: is required with chat_id/);

    const notHers = await request<{ detail: string }>(gatewayA, 'POST', '/api/chat/completions', {
      token: bob.token,
      body: { ...body, id: randomUUID() },
    });
    expect(notHers.status).toBe(404);

    const noModel = await request<{ detail: string }>(gatewayA, 'POST', '/api/chat/completions', {
      token: alice.token,
      body: { ...body, id: randomUUID(), model: 'no-such-model' },
    });
    expect(noModel.status).toBe(404);
    expect(noModel.body.detail).toMatch(/Model not found: no-such-model/);

    await waitFor(() => assembled(first.answerId)?.done === true, 15_000, 'the first answer');
    const reuse = await request<{ detail: string }>(gatewayA, 'POST', '/api/chat/completions', {
      token: alice.token,
      body: { ...body, chat_id: question.chatId, id: question.questionId },
    });
    expect(reuse.status).toBe(409);
    expect(reuse.body.detail).toMatch(/not an answer/);

    // The finished first answer starts a title request upstream; it belongs to this test.
    await waitFor(
      () =>
        socket.events.some(
          (e) =>
            e.name === 'chat:title' && (e.payload as { chat: { id: string } }).chat.id === question.chatId,
        ),
      15_000,
      'chat:title of the first answer',
    );
  });

  /** Starts a long answer through gateway A and waits until a few deltas arrived. */
  async function longAnswer() {
    fake.set({ tokens: Array.from({ length: 400 }, (_, i) => `t${i} `), tokenDelayMs: 20 });
    const question = await chatWithQuestion();
    const started = await startAnswer(gatewayA, question);
    await waitFor(() => (assembled(started.answerId)?.content.length ?? 0) > 20, 10_000, 'a few deltas');
    return { question, started };
  }

  /**
   * Sends the stop to gateway B and counts the tokens the fake upstream wrote until it saw its stream
   * closed: a clock in tokens (one every 20 ms here), which slows down with the machine as the services do.
   */
  async function stopAndCount(taskId: string): Promise<number> {
    const abortedBefore = fake.stats.abortedStreams;
    const tokensBefore = fake.stats.tokensWritten;
    const stop = request(gatewayB, 'POST', `/api/tasks/stop/${taskId}`, { token: alice.token });
    await fake.waitFor((stats) => stats.abortedStreams > abortedBefore, 10_000);
    const tokensAfter = fake.stats.tokensWritten - tokensBefore;
    expect((await stop).status).toBe(200);
    return tokensAfter;
  }

  it('stops a task from the other gateway copy: the upstream is closed within a few tokens, the partial answer kept', async () => {
    const { question, started } = await longAnswer();

    // Listed on either copy, for Alice only; Bob can neither see nor stop it.
    const list = (gateway: string, who: SignedUp) =>
      request<{ task_ids: string[] }>(gateway, 'GET', `/api/tasks/chat/${question.chatId}`, {
        token: who.token,
      });
    expect((await list(gatewayB, alice)).body.task_ids).toEqual([started.body.task_id]);
    expect((await list(gatewayB, bob)).body.task_ids).toEqual([]);
    const bobStops = await request(gatewayB, 'POST', `/api/tasks/stop/${started.body.task_id}`, {
      token: bob.token,
    });
    expect(bobStops.status).toBe(404);
    expect(fake.stats.activeStreams).toBe(1);

    // The stop crosses copies (gateway B → model-gateway B → NATS → model-gateway A) and closes the
    // upstream at once: a few tokens at most get written meanwhile. A stop that waited for anything (the
    // end of the answer, a lease renewal) would let dozens through. On a loaded 2-core machine any hop
    // can be delayed once, so the figure is the best of up to three stops.
    const figures = [await stopAndCount(started.body.task_id)];
    while (Math.min(...figures) > 5 && figures.length < 3) {
      const again = await longAnswer();
      figures.push(await stopAndCount(again.started.body.task_id));
    }
    if (Math.min(...figures) > 5)
      throw new Error(`the upstream wrote ${figures.join(', ')} tokens after the stop; expected at most 5`);

    await waitFor(() => assembled(started.answerId)?.done === true, 10_000, 'the last delta');
    const live = assembled(started.answerId)!;
    expect(live.error).toBeUndefined();
    const saved = (await chat(question.chatId)).chat.history.messages[started.answerId]!;
    expect(saved.done).toBe(true);
    expect(saved.error).toBeUndefined();
    expect(saved.content).toBe(live.content);
    expect(saved.content.length).toBeGreaterThan(20);
    expect(saved.content.length).toBeLessThan(400 * 4);
    expect((await list(gatewayA, alice)).body.task_ids).toEqual([]);
  });

  it('gives a tab that opens mid-answer, on the other realtime copy, everything so far and then the rest', async () => {
    fake.set({ tokens: Array.from({ length: 60 }, (_, i) => `r${i} `), tokenDelayMs: 15 });
    const question = await chatWithQuestion();
    const started = await startAnswer(gatewayA, question);
    await waitFor(() => (assembled(started.answerId)?.content.length ?? 0) > 30, 10_000, 'a few deltas');

    // A reloaded page: the chat shows the unfinished answer; the socket resumes it from the start.
    const reloaded = await chat(question.chatId);
    expect(reloaded.chat.history.messages[started.answerId]).toMatchObject({ done: false });
    const late = await connectSocket(gatewayA, alice.token);
    try {
      const lateAssembler = new CompletionAssembler();
      const ack = (await late.socket.timeout(5_000).emitWithAck('chat:completion:resume', {
        streams: [{ message_id: started.answerId, after_seq: 0 }],
      })) as { ok: boolean; completions: unknown[] };
      expect(ack.ok).toBe(true);
      expect(ack.completions.length).toBeGreaterThan(0);
      for (const event of ack.completions) lateAssembler.apply(event);
      await waitFor(
        () => {
          for (const e of late.events) if (e.name === 'chat:completion') lateAssembler.apply(e.payload);
          return lateAssembler.isDone(started.answerId);
        },
        15_000,
        'the late tab to finish',
      );
      const expected = Array.from({ length: 60 }, (_, i) => `r${i} `).join('');
      expect(lateAssembler.contentOf(started.answerId)).toBe(expected);
      await waitFor(() => assembled(started.answerId)?.done === true, 5_000, 'the first tab to finish');
      expect(assembled(started.answerId)!.content).toBe(expected);
      expect((await chat(question.chatId)).chat.history.messages[started.answerId]!.content).toBe(expected);
    } finally {
      late.close();
    }
  });

  it('saves the partial answer with an error when the upstream breaks mid-answer', async () => {
    fake.set({ failure: { mode: 'break', afterTokens: 5 }, tokenDelayMs: 5 });
    const question = await chatWithQuestion();
    const started = await startAnswer(gatewayB, question);
    await waitFor(() => assembled(started.answerId)?.done === true, 10_000, 'the last delta');
    const live = assembled(started.answerId)!;
    expect(live.error).toEqual(expect.any(String));
    const saved = (await chat(question.chatId)).chat.history.messages[started.answerId]!;
    expect(saved).toMatchObject({ done: true, content: live.content, error: { content: live.error } });
  });

  it('refuses a task past the user’s request limit with 429, Retry-After and the limit named', async () => {
    const limit = await request(gatewayA, 'POST', `/api/v1/usage/limits/users/${bob.id}`, {
      token: admin.token,
      body: { requests_per_minute: 1, tokens_per_day: null },
    });
    expect(limit.status).toBe(200);
    const first = await chatWithQuestion(bob);
    expect((await startAnswer(gatewayA, first, {}, bob)).status).toBe(200);
    const second = await chatWithQuestion(bob);
    const refused = await startAnswer(gatewayB, second, {}, bob);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.detail).toMatch(/per minute/i);
    // Nothing was written for the refused answer.
    expect((await chat(second.chatId, bob)).chat.history.messages[refused.answerId]).toBeUndefined();
  });

  // The last two stop model-gateway copies: A is killed, then B drains.
  it('fails the answer of a killed model-gateway copy with what was saved, never leaving it in progress', async () => {
    fake.set({ tokens: Array.from({ length: 400 }, (_, i) => `k${i} `), tokenDelayMs: 20 });
    const question = await chatWithQuestion();
    const started = await startAnswer(gatewayA, question);
    await waitFor(() => (assembled(started.answerId)?.content.length ?? 0) > 40, 10_000, 'a few deltas');
    await new Promise((resolve) => setTimeout(resolve, 300)); // at least one save
    await stack.services['model-gateway']![0]!.stop('SIGKILL');
    const killedAt = Date.now();

    // Model-gateway B's sweeper finds the lapsed lease and ends the answer for everyone.
    await waitFor(() => assembled(started.answerId)?.done === true, LEASE_MS * 6, 'the closing delta');
    const live = assembled(started.answerId)!;
    expect(live.error).toMatch(/stopped before it finished/);
    expect(Date.now() - killedAt).toBeLessThan(LEASE_MS * 5);

    const saved = (await chat(question.chatId)).chat.history.messages[started.answerId]!;
    expect(saved.done).toBe(true);
    expect(saved.error?.content).toBe(live.error);
    expect(saved.content.length).toBeGreaterThan(0);
    // Saved every 100 ms: what the chat holds is what the socket showed, less at most the last moments.
    expect(live.content.startsWith(saved.content)).toBe(true);
    const tasks = await request<{ task_ids: string[] }>(
      gatewayB,
      'GET',
      `/api/tasks/chat/${question.chatId}`,
      {
        token: alice.token,
      },
    );
    expect(tasks.body.task_ids).toEqual([]);
  });
  it('on SIGTERM lets a short answer finish and fails a long one with a restart message, then exits 0', async () => {
    fake.set({ tokens: Array.from({ length: 30 }, (_, i) => `s${i} `), tokenDelayMs: 20 });
    const first = await chatWithQuestion();
    const short = await startAnswer(gatewayB, first);
    expect(short.status).toBe(200);
    await waitFor(() => assembled(short.answerId) !== undefined, 10_000, 'the short answer to start');
    fake.set({ tokens: Array.from({ length: 1000 }, (_, i) => `l${i} `), tokenDelayMs: 20 });
    const second = await chatWithQuestion();
    const long = await startAnswer(gatewayB, second);
    expect(long.status).toBe(200);
    await waitFor(
      () => (assembled(long.answerId)?.content.length ?? 0) > 10,
      10_000,
      'the long answer to start',
    );

    const copyB = stack.services['model-gateway']![1]!;
    const exit = copyB.stop('SIGTERM');
    // While draining, a new answer is refused with a clear message, not lost.
    const third = await chatWithQuestion();
    const refused = await startAnswer(gatewayB, third);
    expect(refused.status).toBe(503);
    expect(refused.body.detail).toMatch(/shutting down|unavailable/i);

    expect(await exit).toBe(0);
    await waitFor(() => assembled(short.answerId)?.done === true, 5_000, 'the short answer');
    expect(assembled(short.answerId)).toMatchObject({
      error: undefined,
      content: expect.stringMatching(/s29 $/),
    });
    await waitFor(() => assembled(long.answerId)?.done === true, 5_000, 'the long answer');
    const live = assembled(long.answerId)!;
    expect(live.error).toMatch(/server restarted/);
    const saved = (await chat(second.chatId)).chat.history.messages[long.answerId]!;
    expect(saved).toMatchObject({ done: true, content: live.content, error: { content: live.error } });
  });
});
