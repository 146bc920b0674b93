import { randomUUID } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorKind } from '@parley/errors';
import { checkGrpcHealth, createGrpcClient, serviceCaller, useTransportSecurity } from '@parley/grpc';
import { authV1 } from '@parley/proto';
import { freePort, startServiceProcess, startStack, Stack, testCallerSigning } from '@parley/testing';
import { request, signUp } from './support/http';

/**
 * The services with mutual TLS between them (GRPC_TLS_* from a throwaway CA): the gateway still signs
 * people in and serves chats, which takes TLS calls to auth and chat; a gRPC client without the CA's
 * certificate gets nowhere, even with a valid caller assertion.
 */
describe('internal gRPC over mutual TLS', () => {
  let stack: Stack;
  let gateway: string;
  const clients: Array<{ close(): void }> = [];

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 1, realtime: 1, gateway: 1 },
      env: { DEFAULT_USER_ROLE: 'user' },
      tls: true,
    });
    gateway = stack.gatewayUrls[0]!;
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    useTransportSecurity(undefined);
    await stack?.stop();
  });

  function authClient() {
    const client = createGrpcClient(authV1.AuthService, stack.grpcTargets.auth![0]!, {
      deadlineMs: 5_000,
      peerName: 'auth',
      signing: testCallerSigning('auth', stack.callerSecret),
    });
    clients.push(client);
    return client;
  }

  it('runs every service with TLS on, as its start-up log says', () => {
    expect(stack.tls).toBeDefined();
    for (const procs of Object.values(stack.services))
      for (const proc of procs!) expect(proc.logs()).toContain('internal gRPC uses mutual TLS');
  });

  it('signs a person in and serves their chat through the gateway', async () => {
    const email = `tls-${randomUUID()}@example.com`;
    await signUp(gateway, 'Tess', email, 'correct horse battery');
    const signIn = await request<{ token: string; email: string }>(gateway, 'POST', '/api/v1/auths/signin', {
      body: { email, password: 'correct horse battery' },
    });
    expect(signIn.status).toBe(200);
    expect(signIn.body.email).toBe(email);
    const token = signIn.body.token;

    const created = await request<{ id: string; title: string }>(gateway, 'POST', '/api/v1/chats/new', {
      token,
      body: { chat: { title: 'Over TLS' } },
    });
    expect(created.status).toBe(200);
    const fetched = await request<{ id: string; title: string }>(
      gateway,
      'GET',
      `/api/v1/chats/${created.body.id}`,
      { token },
    );
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ id: created.body.id, title: 'Over TLS' });
  });

  it('refuses a plaintext gRPC client, even one with a valid caller assertion', async () => {
    useTransportSecurity(undefined);
    const target = stack.grpcTargets.auth![0]!;
    await expect(checkGrpcHealth(target)).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    await expect(
      authClient().getSignInOptions({}, { caller: serviceCaller('gateway') }),
    ).rejects.toMatchObject({
      kind: ErrorKind.Unavailable,
    });
    await expect(checkGrpcHealth(stack.grpcTargets.chat![0]!)).rejects.toMatchObject({
      code: GrpcStatus.UNAVAILABLE,
    });
  });

  it('answers a client holding a certificate from the installation CA (the control)', async () => {
    useTransportSecurity(stack.tls!.client);
    expect(await checkGrpcHealth(stack.grpcTargets.auth![0]!)).toBe('SERVING');
    expect(await checkGrpcHealth(stack.grpcTargets.chat![0]!)).toBe('SERVING');
    await expect(
      authClient().getSignInOptions({}, { caller: serviceCaller('gateway') }),
    ).resolves.toBeDefined();
  });

  it('drains and exits 0 on SIGTERM with TLS on, every one of them', async () => {
    for (const procs of Object.values(stack.services))
      for (const proc of procs!) {
        proc.child.kill('SIGTERM');
        expect([proc.name, await proc.exited]).toEqual([proc.name, 0]);
      }
  });
});

describe('internal TLS configuration', () => {
  /** Starts chat with these TLS variables (and what else it needs); resolves to the failure's text. */
  async function failedStart(tlsEnv: Record<string, string>): Promise<string> {
    const httpPort = await freePort();
    const attempt = startServiceProcess('chat', {
      httpPort,
      env: {
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(await freePort()),
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/x',
        CALLER_ASSERTION_SECRET: 'a caller assertion secret for this test',
        ...tlsEnv,
      },
      readyTimeoutMs: 10_000,
    });
    return attempt.then(
      () => 'started',
      (e: Error) => e.message,
    );
  }

  it('refuses to start with only some of the three variables, naming the missing ones', async () => {
    const message = await failedStart({ GRPC_TLS_CERT_FILE: '/etc/parley/grpc-tls/tls.crt' });
    expect(message).toContain('exited (78)');
    expect(message).toContain('GRPC_TLS_KEY_FILE is required when GRPC_TLS_CERT_FILE is set');
    expect(message).toContain('GRPC_TLS_CA_FILE is required when GRPC_TLS_CERT_FILE is set');
  });

  it('refuses to start when a file cannot be read, instead of falling back to plaintext', async () => {
    const message = await failedStart({
      GRPC_TLS_CERT_FILE: '/nonexistent/tls.crt',
      GRPC_TLS_KEY_FILE: '/nonexistent/tls.key',
      GRPC_TLS_CA_FILE: '/nonexistent/ca.crt',
    });
    expect(message).toContain('exited (78)');
    expect(message).toContain('GRPC_TLS_CERT_FILE (/nonexistent/tls.crt) cannot be read');
  });
});
