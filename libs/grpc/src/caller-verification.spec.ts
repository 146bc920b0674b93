import { Client, credentials, Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorKind } from '@parley/errors';
import { createLogger } from '@parley/logging';
import { authV1 } from '@parley/proto';
import {
  CALLER_METADATA_KEY,
  CallerSigner,
  CallerVerifier,
  serviceCaller,
  type Caller,
} from './caller-assertion';
import { createGrpcClient, type ServiceClient } from './grpc-client';
import { checkGrpcHealth } from './grpc-health-probe';
import { GrpcServerHost, type CallContext } from './grpc-server-host';
import { failureOf, rawGetUser } from './spec-support';

type Methods = typeof authV1.AuthService extends { method: infer M } ? M : never;

const SECRET = 'the installation secret, 32 characters or more';
const user: Caller = {
  kind: 'user',
  userId: 'u1',
  role: 'user',
  groupIds: ['g1'],
  permissions: new Set(['chat.delete']),
};

/** A real server that verifies caller assertions, and clients signing them rightly and wrongly. */
describe('GrpcServerHost verifies the caller of every call', () => {
  let host: GrpcServerHost;
  let target: string;
  let seen: CallContext['caller'] | undefined;
  const clients: Array<{ close(): void }> = [];

  beforeAll(async () => {
    host = new GrpcServerHost(createLogger({ service: 'spec', level: 'silent' }), {
      callers: new CallerVerifier({ secrets: [SECRET], audience: 'auth' }),
    });
    const handlers = new Proxy(
      {},
      {
        get: () => async (_request: unknown, call: CallContext) => {
          seen = call.caller;
          return {};
        },
      },
    );
    host.addService(authV1.AuthService, handlers as never);
    target = `127.0.0.1:${await host.listen(0, '127.0.0.1')}`;
    host.setServing(true);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await host.drain(1_000);
  });

  function clientWith(signer: CallerSigner, audience = 'auth'): ServiceClient<Methods> {
    const client = createGrpcClient(authV1.AuthService, target, {
      deadlineMs: 5_000,
      peerName: 'auth',
      signing: { signer, audience },
    });
    clients.push(client);
    return client;
  }

  /** GetUser with exactly this metadata, bypassing the client's signing; resolves to the status code. */
  function rawGetUserWith(metadata: Metadata): Promise<number> {
    const raw = new Client(target, credentials.createInsecure());
    clients.push(raw);
    return rawGetUser(raw, metadata);
  }

  it('gives the handler the verified caller', async () => {
    const client = clientWith(new CallerSigner({ secrets: [SECRET], issuer: 'gateway' }));
    await client.getUser({ id: 'u1' }, { caller: user });
    expect(seen).toEqual(user);
    await client.getUser({ id: 'u1' }, { caller: serviceCaller('gateway') });
    expect(seen).toEqual({ kind: 'service', service: 'gateway' });
  });

  it('refuses a call without an assertion as UNAUTHENTICATED, before any handler', async () => {
    seen = undefined;
    expect(await rawGetUserWith(new Metadata())).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(seen).toBeUndefined();
  });

  it('refuses a forged, a garbage, a misdirected and an expired assertion', async () => {
    const forged = clientWith(
      new CallerSigner({ secrets: ['somebody else entirely, long enough'], issuer: 'x' }),
    );
    const forgedError = await failureOf(forged.getUser({ id: 'u1' }, { caller: user }));
    expect(forgedError.kind).toBe(ErrorKind.Unauthenticated);
    expect(forgedError.message).toContain('not signed with a known key');

    const misdirected = clientWith(new CallerSigner({ secrets: [SECRET], issuer: 'gateway' }), 'chat');
    expect((await failureOf(misdirected.getUser({ id: 'u1' }, { caller: user }))).message).toContain(
      'for another service',
    );

    const longAgo = Math.floor(Date.now() / 1000) - 3_600;
    const expired = clientWith(
      new CallerSigner({ secrets: [SECRET], issuer: 'gateway', now: () => longAgo }),
    );
    expect((await failureOf(expired.getUser({ id: 'u1' }, { caller: user }))).message).toContain('expired');

    const metadata = new Metadata();
    metadata.set(CALLER_METADATA_KEY, 'not.a.jwt');
    expect(await rawGetUserWith(metadata)).toBe(GrpcStatus.UNAUTHENTICATED);
  });

  it('accepts an assertion signed with the previous secret while a rotation rolls out', async () => {
    const rotatedHost = new GrpcServerHost(createLogger({ service: 'spec', level: 'silent' }), {
      callers: new CallerVerifier({
        secrets: ['the new secret, 32 characters or more', SECRET],
        audience: 'auth',
      }),
    });
    rotatedHost.addService(authV1.AuthService, new Proxy({}, { get: () => async () => ({}) }) as never);
    const port = await rotatedHost.listen(0, '127.0.0.1');
    rotatedHost.setServing(true);
    const client = createGrpcClient(authV1.AuthService, `127.0.0.1:${port}`, {
      deadlineMs: 5_000,
      peerName: 'auth',
      signing: { signer: new CallerSigner({ secrets: [SECRET], issuer: 'old' }), audience: 'auth' },
    });
    try {
      await expect(client.getUser({ id: 'u1' }, { caller: user })).resolves.toBeDefined();
    } finally {
      client.close();
      await rotatedHost.drain(1_000);
    }
  });

  it('keeps grpc.health.v1 open for probes without an assertion', async () => {
    expect(await checkGrpcHealth(target)).toBe('SERVING');
  });

  it('fails a call that names no caller on a client without a default, without sending it', async () => {
    seen = undefined;
    const client = clientWith(new CallerSigner({ secrets: [SECRET], issuer: 'gateway' }));
    await expect(client.getUser({ id: 'u1' })).rejects.toThrow('a call without a caller');
    expect(seen).toBeUndefined();
  });
});
