// The audit log (AUDIT_LOG_LEVEL, Open WebUI's variables) against the running stack: a sign-in that
// succeeds, one with a wrong password and a chat deletion each give one `"audit": true` JSON line with
// who, route, resource, address, outcome and request id; no password or token appears anywhere in the
// gateway's output, at METADATA (stdout) or REQUEST (a rotated file, with the bodies redacted).
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiV1Chats } from '@parley/proto';
import { startStack, Stack } from '@parley/testing';
import { failedCall, GrpcApiClient } from './support/grpc-api-client';
import { request } from './support/http';

const TITLE = `to be deleted ${'x'.repeat(200)}`;

type AuditLine = Record<string, unknown> & { user: { id: string; role: string } | null };

function auditLines(text: string): AuditLine[] {
  return text
    .split('\n')
    .filter((line) => line.includes('"audit":true'))
    .map((line) => JSON.parse(line) as AuditLine);
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Signs up (first user: admin), signs in right and wrong, creates and deletes a chat. */
async function exercise(gateway: string) {
  const password = `pw-${randomUUID()}`;
  const email = `audit-${randomUUID()}@example.com`;
  const ip = { 'x-forwarded-for': `2001:db8:a0d1::${Math.floor(Math.random() * 0xffff).toString(16)}` };
  const signup = await request<{ token: string; id: string }>(gateway, 'POST', '/api/v1/auths/signup', {
    body: { name: 'Auditor', email, password },
    headers: ip,
  });
  expect(signup.status).toBe(200);
  const ok = await request<{ token: string; id: string }>(gateway, 'POST', '/api/v1/auths/signin', {
    body: { email, password },
    headers: { ...ip, 'x-request-id': `audit-ok-${randomUUID()}` },
  });
  expect(ok.status).toBe(200);
  const wrongPassword = `${password}-wrong`;
  const bad = await request(gateway, 'POST', '/api/v1/auths/signin', {
    body: { email, password: wrongPassword },
    headers: ip,
  });
  expect([400, 401, 403]).toContain(bad.status);
  const token = ok.body.token;
  const chat = await request<{ id: string }>(gateway, 'POST', '/api/v1/chats/new', {
    token,
    body: { chat: { title: TITLE } },
  });
  expect(chat.status).toBe(200);
  const deleted = await request(gateway, 'DELETE', `/api/v1/chats/${chat.body.id}`, {
    token,
    headers: { 'x-request-id': `audit-del-${randomUUID()}` },
  });
  expect(deleted.status).toBe(200);
  return { password, wrongPassword, token, userId: ok.body.id, chatId: chat.body.id, email };
}

function expectTheLines(lines: AuditLine[], run: Awaited<ReturnType<typeof exercise>>) {
  const signIns = lines.filter((l) => l.event === 'signin' && l.attempted_account === run.email);
  const success = signIns.find((l) => l.status === 200);
  const failure = signIns.find((l) => (l.status as number) >= 400);
  expect(success).toMatchObject({
    audit: true,
    method: 'POST',
    route: '/api/v1/auths/signin',
    outcome: 'success',
    source_ip: expect.stringMatching(/^2001:db8:a0d1::/),
  });
  expect(success!.request_id).toMatch(/^audit-ok-/);
  expect(success!.user).toEqual({ id: run.userId, role: 'admin' });
  expect(typeof success!.timestamp).toBe('string');
  expect(failure).toMatchObject({ audit: true, outcome: 'failure', user: null });
  const deletion = lines.find(
    (l) => l.method === 'DELETE' && (l.params as { id?: string }).id === run.chatId,
  );
  expect(deletion).toMatchObject({
    audit: true,
    route: '/api/v1/chats/:id',
    status: 200,
    outcome: 'success',
    user: { id: run.userId, role: 'admin' },
  });
  expect(deletion!.request_id).toMatch(/^audit-del-/);
  expect(deletion!.source_ip).toEqual(expect.any(String));
}

function expectNoSecrets(text: string, run: Awaited<ReturnType<typeof exercise>>) {
  expect(text).not.toContain(run.password);
  expect(text).not.toContain(run.wrongPassword);
  expect(text).not.toContain(run.token);
}

describe('audit log at METADATA (stdout)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 1, gateway: 1 },
      env: { AUDIT_LOG_LEVEL: 'METADATA', DEFAULT_USER_ROLE: 'user' },
    });
  });
  afterAll(() => stack?.stop());

  it('writes one line per sign-in attempt and chat deletion, with no password or token', async () => {
    const gateway = stack.services.gateway![0]!;
    const run = await exercise(stack.gatewayUrls[0]!);
    const lines = await waitFor('the deletion line', () => {
      const found = auditLines(gateway.logs());
      return found.some((l) => l.method === 'DELETE' && (l.params as { id?: string }).id === run.chatId)
        ? found
        : undefined;
    });
    expectTheLines(lines, run);
    for (const line of lines) {
      expect(line.audit_level).toBe('METADATA');
      expect(line).not.toHaveProperty('request_body');
    }
    // reads are not audited
    expect(lines.filter((l) => l.method === 'GET')).toEqual([]);
    expectNoSecrets(gateway.logs(), run);
  });

  it('audits the public gRPC API the same way: changes and refusals, not reads', async () => {
    const gateway = stack.services.gateway![0]!;
    const run = await exercise(stack.gatewayUrls[0]!);
    const client = new GrpcApiClient(stack.grpcApiTargets[0]!, run.token);
    const created = await client.unary<
      typeof apiV1Chats.CreateChatRequestSchema,
      typeof apiV1Chats.CreateChatResponseSchema
    >(apiV1Chats.ChatService, 'createChat', { title: 'over gRPC' });
    await client.unary(apiV1Chats.ChatService, 'getChat', { id: created.chat!.id });
    const missing = randomUUID();
    await failedCall(client.unary(apiV1Chats.ChatService, 'deleteChat', { id: missing }));
    const grpcLines = () =>
      auditLines(gateway.logs()).filter((l) => l.method === 'GRPC' && l.user?.id === run.userId);
    const lines = await waitFor('the gRPC audit lines', () =>
      grpcLines().length >= 2 ? grpcLines() : undefined,
    );
    expect(lines.find((l) => l.route === '/parley.api.v1.ChatService/CreateChat')).toMatchObject({
      audit: true,
      status: 'OK',
      outcome: 'success',
      source_ip: expect.stringMatching(/127\.0\.0\.1/),
    });
    expect(lines.find((l) => l.route === '/parley.api.v1.ChatService/DeleteChat')).toMatchObject({
      status: 'NOT_FOUND',
      outcome: 'failure',
      params: { id: missing },
    });
    expect(lines.filter((l) => l.route === '/parley.api.v1.ChatService/GetChat')).toEqual([]);
    expectNoSecrets(gateway.logs(), run);
  });
});

describe('audit log at REQUEST (to AUDIT_LOGS_FILE_PATH)', () => {
  let stack: Stack;
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-audit-'));
    file = join(dir, 'audit.log');
    stack = await startStack({
      copies: { auth: 1, chat: 1, gateway: 1 },
      env: { AUDIT_LOG_LEVEL: 'request', AUDIT_LOGS_FILE_PATH: file, AUDIT_MAX_BODY_LOG_SIZE: '120' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the redacted, cut request bodies to the file, and no secret anywhere', async () => {
    const run = await exercise(stack.gatewayUrls[0]!);
    const lines = await waitFor('the deletion line in the file', () => {
      if (!existsSync(file)) return undefined;
      const found = auditLines(readFileSync(file, 'utf8'));
      return found.some((l) => l.method === 'DELETE' && (l.params as { id?: string }).id === run.chatId)
        ? found
        : undefined;
    });
    expectTheLines(lines, run);
    const signIn = lines.find((l) => l.event === 'signin' && l.status === 200)!;
    expect(signIn.request_body).toContain('"password":"[REDACTED]"');
    const created = lines.find((l) => l.route === '/api/v1/chats/new')!;
    expect(created.request_body).toBe(`${JSON.stringify({ chat: { title: TITLE } }).slice(0, 120)}…`);
    expectNoSecrets(readFileSync(file, 'utf8'), run);
    expectNoSecrets(stack.services.gateway![0]!.logs(), run);
    // the audit lines went to the file, not to stdout
    expect(auditLines(stack.services.gateway![0]!.logs())).toEqual([]);
  });
});
