import { request as httpRequest } from 'node:http';
import { DomainError, ErrorKind } from '@parley/errors';
import { createGrpcClient } from '@parley/grpc';
import { modelGatewayV1 } from '@parley/proto';
import { FakeLlm, Stack, testCallerSigning, userCaller } from '@parley/testing';
import { startStackWithUpstream } from './support/stacks';
import { request, signUpsFrom, SignedUp } from './support/http';

/**
 * The inputs that used to end a process or reach PostgreSQL (issue 11), sent through the running stack:
 * each must be a 4xx with a `{detail}` that says what was wrong, and afterwards every service is ready
 * and the model gateway is still the same process.
 */
describe('hostile input: a clear 4xx, and every service still up', () => {
  let stack: Stack;
  let upstream: FakeLlm;
  let gateway: string;
  let user: SignedUp;
  let chatId: string;
  const signUp = signUpsFrom('2001:db8:11:1::');

  beforeAll(async () => {
    ({ stack, upstream } = await startStackWithUpstream({ env: { CHAT_IMPORT_MAX_CHATS: '10' } }));
    gateway = stack.gatewayUrls[0]!;
    await signUp(gateway, 'Admin');
    user = await signUp(gateway, 'Bob');
    const created = await request<{ id: string }>(gateway, 'POST', '/api/v1/chats/new', {
      token: user.token,
      body: { chat: { title: 'a chat' } },
    });
    expect(created.status).toBe(200);
    chatId = created.body.id;
  });

  afterAll(async () => {
    await stack?.stop();
    await upstream?.close();
  });

  /** A 4xx whose body is `{detail: string}`; the detail is returned for further checks. */
  function expectClearRefusal(res: { status: number; body: unknown }, what: string): string {
    const detail = (res.body as { detail?: unknown } | undefined)?.detail;
    expect({ what, status: res.status, detailType: typeof detail }).toEqual({
      what,
      status: expect.any(Number),
      detailType: 'string',
    });
    expect({ what, clientError: res.status >= 400 && res.status < 500 }).toEqual({ what, clientError: true });
    return detail as string;
  }

  it('refuses a lone surrogate in the model name on every completion route', async () => {
    const body = '{"model":"x\\ud800y","messages":[{"role":"user","content":"hi"}]}';
    for (const path of ['/api/chat/completions', '/openai/chat/completions', '/ollama/api/chat']) {
      const res = await request(gateway, 'POST', path, { token: user.token, rawBody: body });
      expect(expectClearRefusal(res, path)).toContain('body.model');
    }
  });

  it('refuses a lone surrogate that reaches the model gateway over gRPC, and stays up', async () => {
    const client = createGrpcClient(
      modelGatewayV1.ModelGatewayService,
      stack.grpcTargets['model-gateway']![0]!,
      {
        deadlineMs: 5_000,
        peerName: 'model gateway',
        signing: testCallerSigning('model-gateway', stack.callerSecret),
      },
    );
    try {
      let failure: DomainError | undefined;
      try {
        await client.createChatCompletion(
          { bodyJson: '{"model":"x\\ud800y","messages":[{"role":"user","content":"hi"}]}' },
          { caller: userCaller(user.id) },
        );
      } catch (error) {
        failure = error as DomainError;
      }
      expect(failure?.kind).toBe(ErrorKind.InvalidArgument);
      expect(failure?.message).toContain('request.bodyJson.model');
    } finally {
      client.close();
    }
  });

  it('refuses NUL characters in every kind of text field', async () => {
    const nul = 'a\u0000b';
    const cases: Array<[string, string, unknown, boolean]> = [
      ['chat title', '/api/v1/chats/new', { chat: { title: nul } }, true],
      [
        'message content',
        '/api/v1/chats/new',
        {
          chat: {
            title: 'ok',
            history: {
              currentId: 'm1',
              messages: { m1: { id: 'm1', parentId: null, role: 'user', content: nul, timestamp: 1 } },
            },
          },
        },
        true,
      ],
      ['folder name', '/api/v1/folders/', { name: nul }, true],
      ['tag', `/api/v1/chats/${chatId}/tags`, { name: nul }, true],
      ['user name', '/api/v1/auths/update/profile', { name: nul, profile_image_url: '' }, true],
      ['settings', '/api/v1/users/user/settings/update', { ui: { theme: nul } }, true],
      [
        'sign-in e-mail',
        '/api/v1/auths/signin',
        { email: `x${nul}@example.com`, password: 'whatever1' },
        false,
      ],
    ];
    for (const [what, path, body, signedIn] of cases) {
      const res = await request(gateway, 'POST', path, { token: signedIn ? user.token : undefined, body });
      expect(expectClearRefusal(res, what)).toContain('NUL');
    }
  });

  it('refuses a lone surrogate in chat JSON', async () => {
    const res = await request(gateway, 'POST', '/api/v1/chats/new', {
      token: user.token,
      rawBody: '{"chat":{"title":"x","meta":{"note":"\\udc00"}}}',
    });
    expect(expectClearRefusal(res, 'surrogate')).toContain('surrogate');
  });

  it('refuses JSON nested 20,000 and 2,000 deep', async () => {
    for (const depth of [20_000, 2_000]) {
      const res = await request(gateway, 'POST', '/api/v1/chats/new', {
        token: user.token,
        rawBody: `{"chat":{"title":"x","meta":{"deep":${'['.repeat(depth)}${']'.repeat(depth)}}}}`,
      });
      expect(expectClearRefusal(res, `depth ${depth}`)).toContain('deeper than the limit');
    }
  });

  it('answers two identical imports at once as one import: both succeed, the chats land once', async () => {
    const chats = ['first', 'second'].map((title) => ({
      chat: { title, history: { currentId: null, messages: {} } },
      meta: { tags: [] },
      pinned: false,
    }));
    const [a, b] = await Promise.all([
      request<unknown[]>(gateway, 'POST', '/api/v1/chats/import', { token: user.token, body: { chats } }),
      request<unknown[]>(gateway, 'POST', '/api/v1/chats/import', { token: user.token, body: { chats } }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.length + b.body.length).toBe(2);
    const list = await request<Array<{ title: string }>>(gateway, 'GET', '/api/v1/chats/list?page=1', {
      token: user.token,
    });
    expect(list.body.filter((c) => c.title === 'first' || c.title === 'second')).toHaveLength(2);
  });

  it('refuses an import over the per-request limit, saying to split it', async () => {
    const chats = Array.from({ length: 11 }, (_, i) => ({ chat: { title: `c${i}` } }));
    const res = await request(gateway, 'POST', '/api/v1/chats/import', {
      token: user.token,
      body: { chats },
    });
    expect(res.status).toBe(413);
    expect(expectClearRefusal(res, 'import')).toContain('Split');
  });

  /** A raw request, so nothing in a client library shortens or refuses what is sent. */
  function rawGet(path: string, headers: Record<string, string> = {}) {
    const url = new URL(gateway);
    return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers a 70 KB URL with 414 and a 10 KB one too, instead of a reset', async () => {
    for (const length of [70_000, 10_000]) {
      const res = await rawGet(`/api/v1/chats/list?q=${'a'.repeat(length)}`);
      expect(res.status).toBe(414);
      expectClearRefusal(res, `url ${length}`);
    }
  });

  it('answers a huge header with 431', async () => {
    const res = await rawGet('/api/config', { 'x-huge': 'h'.repeat(40_000) });
    expect(res.status).toBe(431);
    expectClearRefusal(res, 'header');
  });

  it('leaves every service ready and the model gateway the same process', async () => {
    for (const [name, copies] of Object.entries(stack.services)) {
      for (const proc of copies ?? []) {
        expect({ name, exitCode: proc.child.exitCode }).toEqual({ name, exitCode: null });
        const ready = await fetch(`${proc.httpUrl}/health/ready`);
        expect({ name, status: ready.status }).toEqual({ name, status: 200 });
      }
    }
    const modelGateway = stack.services['model-gateway']![0]!;
    expect(modelGateway.logs()).not.toContain('unhandled promise rejection');
    // And it still answers real work.
    const res = await request<{ choices: unknown[] }>(gateway, 'POST', '/api/chat/completions', {
      token: user.token,
      body: { model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }], stream: false },
    });
    expect(res.status).toBe(200);
  });
});
