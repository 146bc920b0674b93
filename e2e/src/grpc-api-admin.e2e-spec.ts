import { randomUUID } from 'node:crypto';
import type { MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { apiV1Admin, apiV1Chats, apiV1Completions } from '@parley/proto';
import { eventually, FakeLlm, Stack, startFakeLlm, startStack } from '@parley/testing';
import { failureOf, GrpcApiClient } from './support/grpc-api-client';
import { apiKeyOf, request, SignedUp, signUpsFrom } from './support/http';

const { AdminService, UserRole, LimitSubject } = apiV1Admin;
type A = typeof AdminService.method;

/**
 * parley.api.v1.AdminService on two gateway copies with an admin's API key: users (list, approve a pending
 * sign-up who can then work through REST, set roles with REST's rules), groups CRUD as REST sees them,
 * usage and limits; a non-admin key meets PERMISSION_DENIED on every method, bad input INVALID_ARGUMENT;
 * each admin action writes its audit line.
 */
describe('the public gRPC API: AdminService on two gateway copies', () => {
  const signUpAs = signUpsFrom('2001:db8:15ad::');
  let upstream: FakeLlm;
  let stack: Stack;
  let gatewayA: string;
  let gatewayB: string;
  let admin: SignedUp;
  let a: GrpcApiClient;
  let b: GrpcApiClient;

  const call = <K extends keyof A & string>(
    client: GrpcApiClient,
    method: K,
    fields: MessageInitShape<A[K]['input']>,
  ): Promise<MessageShape<A[K]['output']>> =>
    client.unary<A[K]['input'], A[K]['output']>(AdminService, method, fields);

  beforeAll(async () => {
    upstream = await startFakeLlm({ models: ['gpt-fake'] });
    stack = await startStack({
      copies: { auth: 1, chat: 1, 'model-gateway': 1, gateway: 2 },
      env: {
        DEFAULT_USER_ROLE: 'pending',
        OPENAI_API_BASE_URLS: upstream.openaiBaseUrl,
        ENABLE_OLLAMA_API: 'false',
        ENABLE_TITLE_GENERATION: 'false',
        AUDIT_LOG_LEVEL: 'METADATA',
      },
    });
    [gatewayA, gatewayB] = stack.gatewayUrls as [string, string];
    admin = await signUpAs(gatewayA, 'Admin');
    expect(admin.role).toBe('admin');
    const key = await apiKeyOf(gatewayA, admin);
    const [targetA, targetB] = stack.grpcApiTargets as [string, string];
    a = new GrpcApiClient(targetA, key);
    b = new GrpcApiClient(targetB, key);
  }, 180_000);

  afterAll(async () => {
    a?.close();
    b?.close();
    await stack?.stop();
    await upstream?.close();
  });

  /** A sign-up that waits for approval, and its REST sign-in password. */
  async function pendingUser(name: string): Promise<SignedUp> {
    const user = await signUpAs(gatewayB, name);
    expect(user.role).toBe('pending');
    return user;
  }

  async function signIn(gateway: string, email: string) {
    return request<{ token: string; role: string }>(gateway, 'POST', '/api/v1/auths/signin', {
      body: { email, password: 'correct horse battery' },
      headers: { 'x-forwarded-for': `2001:db8:15ad:1::${Math.floor(Math.random() * 0xffff).toString(16)}` },
    });
  }

  it('lists the users waiting for approval and approves one, who then works through REST', async () => {
    const waiting = await pendingUser('Waiting');
    // Pending users may sign in, and may do nothing else.
    expect((await request(gatewayA, 'GET', '/api/v1/chats/', { token: waiting.token })).status).toBe(403);

    const pending = await call(a, 'listUsers', { role: UserRole.PENDING, pageSize: 200 });
    expect(pending.users.map((u) => u.id)).toContain(waiting.id);
    expect(pending.users.every((u) => u.role === UserRole.PENDING)).toBe(true);
    const found = await call(b, 'listUsers', { query: waiting.email });
    expect(found.totalSize).toBe(1);
    expect(found.users[0]).toMatchObject({
      name: `users/${waiting.id}`,
      id: waiting.id,
      email: waiting.email,
      displayName: 'Waiting',
      role: UserRole.PENDING,
    });

    const approved = await call(b, 'approveUser', { userId: waiting.id });
    expect(approved.user).toMatchObject({ id: waiting.id, role: UserRole.USER });
    // As after REST's role change: the old session ended, a new sign-in carries the new role.
    expect((await request(gatewayA, 'GET', '/api/v1/chats/', { token: waiting.token })).status).toBe(401);
    const again = await signIn(gatewayA, waiting.email);
    expect(again.status).toBe(200);
    expect(again.body.role).toBe('user');
    expect((await request(gatewayB, 'GET', '/api/v1/chats/', { token: again.body.token })).status).toBe(200);
    // Approving twice changes nothing.
    expect((await call(a, 'approveUser', { userId: waiting.id })).user?.role).toBe(UserRole.USER);
    const rest = await request<{ role: string }>(gatewayB, 'GET', `/api/v1/users/${waiting.id}`, {
      token: admin.token,
    });
    expect(rest.body.role).toBe('user');
  });

  it('pages every user once with page tokens across both copies', async () => {
    for (const n of [1, 2, 3]) await pendingUser(`Paged${n}`);
    const total = (await call(a, 'listUsers', {})).totalSize;
    const ids: string[] = [];
    let pageToken = '';
    let client = a;
    do {
      const page = await call(client, 'listUsers', { pageSize: 2, pageToken });
      expect(page.users.length).toBeLessThanOrEqual(2);
      ids.push(...page.users.map((u) => u.id));
      pageToken = page.nextPageToken;
      client = client === a ? b : a;
    } while (pageToken);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect((await failureOf(call(a, 'listUsers', { pageToken: 'forged' }))).code).toBe(
      status.INVALID_ARGUMENT,
    );
  });

  it("sets roles with the rules REST has: not the caller's own, sessions of the user end", async () => {
    const user = await pendingUser('Promoted');
    const promoted = await call(a, 'setUserRole', { userId: user.id, role: UserRole.ADMIN });
    expect(promoted.user?.role).toBe(UserRole.ADMIN);
    const signedIn = await signIn(gatewayB, user.email);
    expect(signedIn.body.role).toBe('admin');
    const demoted = await call(b, 'setUserRole', { userId: user.id, role: UserRole.USER });
    expect(demoted.user?.role).toBe(UserRole.USER);
    expect((await request(gatewayA, 'GET', '/api/v1/users/', { token: signedIn.body.token })).status).toBe(
      401,
    );

    const own = await failureOf(call(a, 'setUserRole', { userId: admin.id, role: UserRole.USER }));
    expect(own).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'FAILED_PRECONDITION' });
    const unknown = await failureOf(call(a, 'setUserRole', { userId: randomUUID(), role: UserRole.USER }));
    expect(unknown.code).toBe(status.NOT_FOUND);
  });

  it('creates, lists, updates and deletes groups as REST sees them', async () => {
    const member = await pendingUser('Member');
    const name = `grpc-group-${randomUUID()}`;
    const created = (
      await call(a, 'createGroup', {
        group: {
          displayName: name,
          description: 'Made over gRPC',
          permissions: { 'chat.delete': false },
          memberIds: [member.id],
        },
      })
    ).group!;
    expect(created).toMatchObject({
      name: `groups/${created.id}`,
      displayName: name,
      description: 'Made over gRPC',
      permissions: { 'chat.delete': false },
      memberIds: [member.id],
    });
    const listed = await call(b, 'listGroups', { pageSize: 200 });
    expect(listed.groups.map((g) => g.id)).toContain(created.id);

    const updated = (
      await call(b, 'updateGroup', {
        group: {
          id: created.id,
          displayName: `${name} renamed`,
          description: 'not in the mask',
          memberIds: [],
        },
        updateMask: { paths: ['display_name', 'member_ids'] },
      })
    ).group!;
    expect(updated).toMatchObject({
      displayName: `${name} renamed`,
      description: 'Made over gRPC',
      memberIds: [],
    });
    const rest = await request<{ name: string; user_ids: string[]; description: string }>(
      gatewayA,
      'GET',
      `/api/v1/groups/id/${created.id}`,
      { token: admin.token },
    );
    expect(rest.body).toMatchObject({ name: `${name} renamed`, user_ids: [], description: 'Made over gRPC' });

    await call(a, 'deleteGroup', { id: created.id });
    expect((await call(b, 'listGroups', {})).groups.map((g) => g.id)).not.toContain(created.id);
    expect((await failureOf(call(b, 'deleteGroup', { id: created.id }))).code).toBe(status.NOT_FOUND);
  });

  it('sets and removes usage limits, and reports the usage of a completion', async () => {
    const user = await pendingUser('Metered');
    await call(a, 'approveUser', { userId: user.id });
    const session = await signIn(gatewayA, user.email);
    const key = await apiKeyOf(gatewayA, { ...user, token: session.body.token });
    const theirs = new GrpcApiClient(stack.grpcApiTargets[1]!, key);
    try {
      const answer = await theirs.unary<
        typeof apiV1Completions.CompleteRequestSchema,
        typeof apiV1Completions.CompleteResponseSchema
      >(apiV1Completions.CompletionService, 'complete', {
        model: 'gpt-fake',
        messages: [{ role: apiV1Chats.Role.USER, content: 'Count my tokens' }],
      });
      expect(answer.usage?.totalTokens).toBeGreaterThan(0);
      const usage = await eventually('the usage row', async () => {
        const reply = await call(b, 'getUsage', { userId: user.id, model: 'gpt-fake' });
        return reply.rows.length ? reply : undefined;
      });
      expect(usage.rows[0]).toMatchObject({ userId: user.id, model: 'gpt-fake' });
      expect(usage.rows[0]!.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(usage.totals?.totalTokens).toBe(BigInt(answer.usage!.totalTokens));
      expect(usage.totals?.requests).toBe(1n);
      const rest = await request<{ totals: { total_tokens: number } }>(
        gatewayA,
        'GET',
        `/api/v1/usage/?user_id=${user.id}`,
        { token: admin.token },
      );
      expect(BigInt(rest.body.totals.total_tokens)).toBe(usage.totals?.totalTokens);

      const set = await call(a, 'setUsageLimit', {
        limit: { subject: LimitSubject.USER, subjectId: user.id, requestsPerMinute: 0 },
      });
      expect(set.limit).toMatchObject({
        subject: LimitSubject.USER,
        subjectId: user.id,
        requestsPerMinute: 0,
      });
      expect(set.limit?.tokensPerDay).toBeUndefined();
      const limits = await call(b, 'getUsageLimits', {});
      expect(limits.limits.find((l) => l.subjectId === user.id)).toMatchObject({ requestsPerMinute: 0 });
      const refused = await failureOf(
        theirs.unary(apiV1Completions.CompletionService, 'complete', {
          model: 'gpt-fake',
          messages: [{ role: apiV1Chats.Role.USER, content: 'Again' }],
        }),
      );
      expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);

      const removed = await call(b, 'setUsageLimit', {
        limit: { subject: LimitSubject.USER, subjectId: user.id },
      });
      expect(removed.limit).toBeUndefined();
      const restLimits = await request<{ users: Array<{ id: string }> }>(
        gatewayA,
        'GET',
        '/api/v1/usage/limits',
        {
          token: admin.token,
        },
      );
      expect(restLimits.body.users.map((l) => l.id)).not.toContain(user.id);
    } finally {
      theirs.close();
    }
  });

  it('refuses every method to a non-admin key with PERMISSION_DENIED', async () => {
    const user = await pendingUser('Plain');
    await call(a, 'approveUser', { userId: user.id });
    const session = await signIn(gatewayB, user.email);
    const plain = new GrpcApiClient(
      stack.grpcApiTargets[0]!,
      await apiKeyOf(gatewayB, { ...user, token: session.body.token }),
    );
    try {
      for (const method of AdminService.methods) {
        const refused = await failureOf(plain.unary(AdminService, method.localName, {}));
        expect([method.name, refused.code, refused.reason]).toEqual([
          method.name,
          status.PERMISSION_DENIED,
          'PERMISSION_DENIED',
        ]);
      }
    } finally {
      plain.close();
    }
    const anonymous = await failureOf(a.unary(AdminService, 'listUsers', {}, { credential: null }));
    expect(anonymous.code).toBe(status.UNAUTHENTICATED);
  });

  it('answers bad input with INVALID_ARGUMENT naming the field', async () => {
    const cases: Array<[Promise<unknown>, string]> = [
      [call(a, 'setUserRole', { userId: admin.id }), 'role:'],
      [call(a, 'setUserRole', { role: UserRole.USER }), 'user_id:'],
      [call(a, 'approveUser', { userId: 'x'.repeat(5000) }), 'user_id:'],
      [call(a, 'listUsers', { query: 'q'.repeat(201) }), 'query:'],
      [call(a, 'listUsers', { pageSize: -1 }), 'page_size:'],
      [call(a, 'createGroup', {}), 'group:'],
      [call(a, 'createGroup', { group: { displayName: '  ' } }), 'group.display_name:'],
      [
        call(a, 'createGroup', { group: { displayName: 'g', description: 'd'.repeat(2001) } }),
        'group.description:',
      ],
      [call(a, 'updateGroup', { group: { id: 'g1' } }), 'update_mask:'],
      [call(a, 'getUsage', { startDay: 'yesterday' }), 'start_day:'],
      [call(a, 'getUsage', { startDay: '2026-02-02', endDay: '2026-02-01' }), 'start_day:'],
      [call(a, 'setUsageLimit', { limit: { subjectId: admin.id } }), 'limit.subject:'],
      [
        call(a, 'setUsageLimit', {
          limit: { subject: LimitSubject.GROUP, subjectId: 'g', tokensPerDay: -5n },
        }),
        'limit.tokens_per_day:',
      ],
    ];
    for (const [pending, field] of cases) {
      const failure = await failureOf(pending);
      expect([failure.code, failure.reason, failure.details.startsWith(field)]).toEqual([
        status.INVALID_ARGUMENT,
        'INVALID_INPUT',
        true,
      ]);
    }
  });

  it('writes the audit line REST writes for each admin action', async () => {
    const user = await pendingUser('Audited');
    await call(b, 'approveUser', { userId: user.id });
    const gateway = stack.services.gateway![1]!;
    const line = await eventually(
      'the audit line',
      async () =>
        gateway
          .logs()
          .split('\n')
          .filter((l) => l.includes('"audit":true') && l.includes(user.id))
          .map((l) => JSON.parse(l) as Record<string, unknown>)[0],
    );
    expect(line).toMatchObject({
      audit: true,
      audit_level: 'METADATA',
      event: 'request',
      route: '/parley.api.v1.AdminService/ApproveUser',
      params: { id: user.id },
      user: { id: admin.id, role: 'admin' },
      source_ip: '127.0.0.1',
      status: 'OK',
      outcome: 'success',
    });
    expect(line.request_id).toEqual(expect.any(String));
  });
});
