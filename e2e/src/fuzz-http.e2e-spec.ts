import fc from 'fast-check';
import { FakeLlm, Stack } from '@parley/testing';
import { startStackWithUpstream } from './support/stacks';
import { request, signUpsFrom, SignedUp } from './support/http';
import { clip, expectCleanRun, Finding, fuzzSeed } from './support/fuzz/findings';
import {
  deepJson,
  deepObject,
  FIELD_NAMES,
  hostileBody,
  hostileQuery,
  hostileSegment,
} from './support/fuzz/hostile';
import { rawRequest, RawResponse } from './support/fuzz/raw-http';
import { discoverRoutes, fillRoute, MappedRoute, routeParams } from './support/fuzz/routes';

const RUNS_PER_ROUTE_AND_CALLER = Number(process.env.FUZZ_RUNS ?? 20);
const BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * Every route the gateway maps (read from its own start-up log, so a new route is covered without being
 * listed here), called as an admin, a user and nobody with hostile path parameters, queries and bodies
 * through two gateway copies: no answer is a 5xx, every 4xx is `{detail: string}`, and every copy of
 * every service is alive and ready afterwards.
 */
describe('HTTP fuzz: every gateway route, hostile input', () => {
  let stack: Stack;
  let upstream: FakeLlm;
  let routes: MappedRoute[];
  let callers: Array<{ who: string; token?: string; chatId?: string; email?: string }>;
  const seed = fuzzSeed('fuzz-http');
  const findings: Finding[] = [];
  const signUp = signUpsFrom('2001:db8:11:f::');
  let turn = 0;
  /** Answers by status class, so a run that only ever met 401 (the fuzzer reaching nothing) fails. */
  const statuses: Record<string, number> = {};

  beforeAll(async () => {
    // With retrieval: the knowledge and retrieval routes answer for real, not with an unreachable service.
    ({ stack, upstream } = await startStackWithUpstream({ gateways: 2, retrieval: true }));
    const gateway = stack.gatewayUrls[0]!;
    const admin: SignedUp = await signUp(gateway, 'Admin');
    const user: SignedUp = await signUp(gateway, 'Bob');
    callers = [{ who: 'anonymous' }];
    for (const [who, person] of [
      ['admin', admin],
      ['user', user],
    ] as const) {
      const created = await request<{ id: string }>(gateway, 'POST', '/api/v1/chats/new', {
        token: person.token,
        body: { chat: { title: 'fuzz target' } },
      });
      expect(created.status).toBe(200);
      callers.push({ who, token: person.token, chatId: created.body.id, email: person.email });
    }
    routes = discoverRoutes(stack.services.gateway![0]!);
  });

  afterAll(async () => {
    await stack?.stop();
    await upstream?.close();
  });

  async function send(
    route: MappedRoute,
    method: string,
    path: string,
    caller: { who: string; token?: string },
    body: string | undefined,
    describeInput: string,
  ): Promise<void> {
    const gateway = stack.gatewayUrls[turn++ % stack.gatewayUrls.length]!;
    let res: RawResponse;
    try {
      res = await rawRequest(gateway, method, path, { token: caller.token, body });
    } catch (error) {
      findings.push({
        route: `${route.method} ${route.path}`,
        input: `${caller.who} ${method} ${clip(path, 200)} ${describeInput}`,
        outcome: `no answer: ${(error as Error).message}`,
      });
      return;
    }
    const statusKey = caller.token ? String(res.status) : `anonymous ${res.status}`;
    statuses[statusKey] = (statuses[statusKey] ?? 0) + 1;
    const detail = (res.body as { detail?: unknown } | undefined)?.detail;
    const bad =
      res.status >= 500
        ? `${res.status}`
        : res.status >= 400 && typeof detail !== 'string' && !isUpstreamAnswer(path, res)
          ? `${res.status} without a string detail`
          : undefined;
    if (bad)
      findings.push({
        route: `${route.method} ${route.path}`,
        input: `${caller.who} ${method} ${clip(path, 200)} ${describeInput}`,
        outcome: `${bad}: ${clip(res.text, 200)}`,
      });
  }

  /**
   * The pass-through relays an upstream's own 4xx as the upstream wrote it (Open WebUI does the same, and
   * OpenAI clients read `error.message`), so those answers carry `error`, not `detail`.
   */
  function isUpstreamAnswer(path: string, res: RawResponse): boolean {
    const body = res.body as { error?: unknown } | undefined;
    return /^\/(openai|ollama)\//.test(path) && typeof body === 'object' && body !== null && 'error' in body;
  }

  function methodsOf(route: MappedRoute): string[] {
    return route.method === 'ALL' ? ['GET', 'POST', 'DELETE'] : [route.method];
  }

  it('discovers every mapped route from the running gateway', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'POST /api/v1/chats/new',
        'POST /api/chat/completions',
        'GET /api/v1/chats/:id',
        'POST /api/v1/auths/signin',
        'ALL /openai/*path',
      ]),
    );
    expect(routes.length).toBeGreaterThan(50);
    // The request schemas were read too: their field names get hostile values.
    expect(FIELD_NAMES).toEqual(expect.arrayContaining(['chat_id', 'model_ids', 'rating', 'title']));
    // Both copies map the same routes: the discovery is of the build, not of one process's luck.
    expect(discoverRoutes(stack.services.gateway![1]!)).toEqual(routes);
  });

  it('answers hostile path parameters, queries and bodies with a 4xx {detail}, never a 5xx', async () => {
    // Sign-out last: it may end the caller's session, which the other routes need.
    const ordered = [...routes].sort(
      (a, b) => Number(a.path.endsWith('/signout')) - Number(b.path.endsWith('/signout')),
    );
    let index = 0;
    for (const route of ordered) {
      const params = routeParams(route.path);
      for (const caller of callers) {
        const input = fc.record({
          params: fc.tuple(
            ...params.map(() =>
              fc.oneof(
                { weight: 3, arbitrary: hostileSegment },
                { weight: 1, arbitrary: fc.constant('__own_chat__') },
              ),
            ),
          ),
          query: hostileQuery,
          body: hostileBody,
        });
        const samples = fc.sample(input, { seed: seed + index++, numRuns: RUNS_PER_ROUTE_AND_CALLER });
        for (const sample of samples) {
          const values: Record<string, string> = {};
          params.forEach((name, i) => {
            const v = (sample.params as string[])[i]!;
            values[name] = v === '__own_chat__' ? (caller.chatId ?? 'x') : v;
          });
          const path = fillRoute(route.path, values) + sample.query;
          for (const method of methodsOf(route)) {
            const body = method === 'GET' ? undefined : sample.body;
            await send(route, method, path, caller, body, `body ${clip(body ?? '(none)')}`);
          }
        }
      }
    }
    process.stdout.write(
      `fuzz-http: ${ordered.length} routes, ${index} route/caller pairs, answers ${JSON.stringify(statuses)}\n`,
    );
    // Signed-in callers got past authentication: some hostile input was accepted, some refused as invalid.
    expect(statuses['200']).toBeGreaterThan(0);
    expect((statuses['400'] ?? 0) + (statuses['422'] ?? 0)).toBeGreaterThan(0);
    // Sign-out may have ended the sessions: sign in again for the tests below.
    for (const caller of callers.filter((c) => c.email)) {
      const again = await request<{ token: string }>(stack.gatewayUrls[0]!, 'POST', '/api/v1/auths/signin', {
        body: { email: caller.email, password: 'correct horse battery' },
        headers: { 'x-forwarded-for': '2001:db8:11:f::ff' },
      });
      expect(again.status).toBe(200);
      caller.token = again.body.token;
    }
  });

  it('answers a fixed corpus of path tricks in every path parameter, for every caller', async () => {
    // Always sent, whatever the seed: the shapes that have reached a handler unchecked before.
    const corpus = [
      '__proto__',
      'constructor',
      '%00',
      '%ED%A0%80',
      '%2e%2e',
      '.%2e',
      '..%2f..%2fetc',
      'e%CC%81',
    ];
    for (const route of routes.filter(
      (r) => routeParams(r.path).length > 0 && !r.path.endsWith('/signout'),
    )) {
      for (const caller of callers) {
        for (const value of corpus) {
          // One parameter at a time, the others plain, so a check on one cannot hide the next.
          for (const target of routeParams(route.path)) {
            const values = Object.fromEntries(
              routeParams(route.path).map((p) => [p, p === target ? value : 'x']),
            );
            const path = fillRoute(route.path, values);
            for (const method of methodsOf(route))
              await send(route, method, path, caller, undefined, 'no body');
          }
        }
      }
    }
  });

  it('answers huge, deep and invalid-UTF-8 bodies on every body-taking route with a 4xx {detail}', async () => {
    const big = (bytes: number) => JSON.stringify({ title: 'a'.repeat(bytes), content: 'a', name: 'a' });
    const bodies: Array<[string, string | Buffer]> = [
      ['1 MB string', big(1024 * 1024)],
      ['above BODY_LIMIT', big(BODY_LIMIT_BYTES + 1024)],
      ['array 100 deep', deepJson(100)],
      ['array 20,000 deep', deepJson(20_000)],
      ['object 100 deep', deepObject(100)],
      ['object 20,000 deep', deepObject(20_000)],
      [
        'lone surrogate escapes',
        '{"title":"\\ud800","name":"\\udfff","content":"a\\ud800b","model":"x\\ud800"}',
      ],
      [
        'invalid UTF-8',
        Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xff, 0xfe, 0xc0, 0x80]), Buffer.from('"}')]),
      ],
    ];
    const user = callers.find((c) => c.who === 'user')!;
    for (const route of routes.filter((r) => r.method !== 'GET' && !r.path.endsWith('/signout'))) {
      const path = fillRoute(
        route.path,
        Object.fromEntries(routeParams(route.path).map((p) => [p, user.chatId!])),
      );
      for (const [what, body] of bodies) {
        const gateway = stack.gatewayUrls[turn++ % stack.gatewayUrls.length]!;
        const method = route.method === 'ALL' ? 'POST' : route.method;
        let res: RawResponse | undefined;
        let failure: string | undefined;
        try {
          res = await rawRequest(gateway, method, path, { token: user.token, body });
        } catch (error) {
          failure = `no answer: ${(error as Error).message}`;
        }
        const detail = (res?.body as { detail?: unknown } | undefined)?.detail;
        if (
          !failure &&
          res &&
          (res.status >= 500 ||
            (res.status >= 400 && typeof detail !== 'string' && !isUpstreamAnswer(path, res)))
        )
          failure = `${res.status}: ${clip(res.text, 200)}`;
        if (failure)
          findings.push({
            route: `${route.method} ${route.path}`,
            input: `user ${method} ${path} ${what}`,
            outcome: failure,
          });
      }
    }
  });

  it('leaves every copy of every service alive and ready, and reports nothing', async () => {
    await expectCleanRun('fuzz-http', seed, findings, stack);
  });
});
