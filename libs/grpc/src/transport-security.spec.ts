import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { Client, credentials, Metadata, status as GrpcStatus, type ChannelCredentials } from '@grpc/grpc-js';
import { DomainError, ErrorKind } from '@parley/errors';
import { createLogger } from '@parley/logging';
import { authV1 } from '@parley/proto';
import { CALLER_METADATA_KEY, CallerSigner, CallerVerifier, serviceCaller } from './caller-assertion';
import { createGrpcClient } from './grpc-client';
import { checkGrpcHealth } from './grpc-health-probe';
import { GrpcServerHost, type CallContext } from './grpc-server-host';
import { failureOf, rawGetUser } from './spec-support';
import {
  TransportSecurity,
  TransportSecurityConfigError,
  grpcChannelCredentials,
  transportSecurityFilesOf,
  useTransportSecurity,
  type TransportSecurityFiles,
} from './transport-security';

// libs/testing has createTestCa for the e2e stack; libs/grpc may not depend on it (libs/testing depends
// on libs/grpc), so this spec keeps its own few openssl calls.
function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string): { caFile: string; issue(cert: string): TransportSecurityFiles } {
  const caFile = path.join(dir, `${name}.crt`);
  const caKey = path.join(dir, `${name}.key`);
  openssl(['req', '-x509', ...EC, '-keyout', caKey, '-out', caFile, '-days', '1', '-subj', `/CN=${name}`]);
  return {
    caFile,
    issue(cert) {
      const base = path.join(dir, cert);
      const ext = `${base}.ext`;
      fs.writeFileSync(
        ext,
        'extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n',
      );
      openssl([
        'req',
        '-new',
        ...EC,
        '-keyout',
        `${base}.key.new`,
        '-out',
        `${base}.csr`,
        '-subj',
        `/CN=${cert}`,
      ]);
      openssl([
        'x509',
        '-req',
        '-in',
        `${base}.csr`,
        '-CA',
        caFile,
        '-CAkey',
        caKey,
        '-set_serial',
        `0x1${randomBytes(8).toString('hex')}`,
        '-days',
        '1',
        '-extfile',
        ext,
        '-out',
        `${base}.crt.new`,
      ]);
      fs.renameSync(`${base}.key.new`, `${base}.key`);
      fs.renameSync(`${base}.crt.new`, `${base}.crt`);
      return { certFile: `${base}.crt`, keyFile: `${base}.key`, caFile };
    },
  };
}

const SECRET = 'the installation secret, 32 characters or more';

/** A real server with mutual TLS, and clients with the right, no, and foreign certificates. */
describe('gRPC with mutual TLS (useTransportSecurity)', () => {
  let dir: string;
  let ca: ReturnType<typeof makeCa>;
  let otherCa: ReturnType<typeof makeCa>;
  let serverFiles: TransportSecurityFiles;
  let clientFiles: TransportSecurityFiles;
  let host: GrpcServerHost;
  let port: number;
  let target: string;
  let seen: CallContext['caller'] | undefined;
  const closers: Array<{ close(): void }> = [];
  const signer = new CallerSigner({ secrets: [SECRET], issuer: 'gateway' });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grpc-tls-spec-'));
    ca = makeCa(dir, 'ca');
    otherCa = makeCa(dir, 'other-ca');
    serverFiles = ca.issue('server');
    clientFiles = ca.issue('client');
    // A short refresh, so the renewal test sees the new files quickly.
    useTransportSecurity(serverFiles, { refreshIntervalMs: 50 });
    host = new GrpcServerHost(createLogger({ service: 'spec', level: 'silent' }), {
      callers: new CallerVerifier({ secrets: [SECRET], audience: 'auth' }),
    });
    host.addService(
      authV1.AuthService,
      new Proxy(
        {},
        {
          get: () => async (_request: unknown, call: CallContext) => {
            seen = call.caller;
            return {};
          },
        },
      ) as never,
    );
    port = await host.listen(0, '127.0.0.1');
    target = `127.0.0.1:${port}`;
    host.setServing(true);
  });

  afterAll(async () => {
    for (const closer of closers) closer.close();
    useTransportSecurity(undefined);
    await host.drain(1_000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A client made the way services make theirs, with the process's transport security at that time. */
  function serviceClient(files: TransportSecurityFiles | undefined) {
    useTransportSecurity(files);
    const client = createGrpcClient(authV1.AuthService, target, {
      deadlineMs: 5_000,
      peerName: 'auth',
      signing: { signer, audience: 'auth' },
      defaultCaller: serviceCaller('gateway'),
    });
    closers.push(client);
    return client;
  }

  /** GetUser over exactly these channel credentials; resolves to the status code. */
  async function rawGetUserOver(creds: ChannelCredentials): Promise<number> {
    const raw = new Client(target, creds);
    closers.push(raw);
    const metadata = new Metadata();
    metadata.set(CALLER_METADATA_KEY, await signer.sign(serviceCaller('gateway'), 'auth'));
    return rawGetUser(raw, metadata);
  }

  const read = (file: string) => fs.readFileSync(file);

  it('serves a client that presents a certificate from the CA, and the caller assertion still counts', async () => {
    seen = undefined;
    await serviceClient(clientFiles).getUser({ id: 'u1' });
    expect(seen).toEqual({ kind: 'service', service: 'gateway' });
    // The same, with plain grpc-js credentials built from the files.
    expect(
      await rawGetUserOver(
        credentials.createSsl(read(ca.caFile), read(clientFiles.keyFile), read(clientFiles.certFile)),
      ),
    ).toBe(GrpcStatus.OK);
  });

  it('refuses a client without a certificate, before any handler runs', async () => {
    seen = undefined;
    expect(await rawGetUserOver(credentials.createSsl(read(ca.caFile)))).toBe(GrpcStatus.UNAVAILABLE);
    expect(seen).toBeUndefined();
  });

  it('refuses a client whose certificate another CA signed', async () => {
    seen = undefined;
    const foreign = otherCa.issue('foreign-client');
    expect(
      await rawGetUserOver(
        credentials.createSsl(read(ca.caFile), read(foreign.keyFile), read(foreign.certFile)),
      ),
    ).toBe(GrpcStatus.UNAVAILABLE);
    expect(seen).toBeUndefined();
  });

  it('refuses a plaintext client', async () => {
    seen = undefined;
    expect(await rawGetUserOver(credentials.createInsecure())).toBe(GrpcStatus.UNAVAILABLE);
    const error = await failureOf(serviceClient(undefined).getUser({ id: 'u1' }));
    expect(error.kind).toBe(ErrorKind.Unavailable);
    expect(seen).toBeUndefined();
  });

  it("makes a service's client refuse a server its CA did not sign", async () => {
    seen = undefined;
    // Its own certificate is fine for the server, but it trusts only the other CA.
    const error = await failureOf(
      serviceClient({ ...clientFiles, caFile: otherCa.caFile }).getUser({ id: 'u1' }),
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error.kind).toBe(ErrorKind.Unavailable);
    expect(seen).toBeUndefined();
  });

  it('answers the health probe over TLS, and not over plaintext', async () => {
    useTransportSecurity(clientFiles);
    expect(await checkGrpcHealth(target)).toBe('SERVING');
    useTransportSecurity(undefined);
    await expect(checkGrpcHealth(target)).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
  });

  it('picks up a renewed server certificate without a restart', async () => {
    const before = servedSerial();
    await expect(before).resolves.toBe(new X509Certificate(read(serverFiles.certFile)).serialNumber);
    ca.issue('server'); // new key, new serial, same files: what cert-manager does on renewal
    const renewed = new X509Certificate(read(serverFiles.certFile)).serialNumber;
    expect(renewed).not.toBe(await before);
    // New connections get the new certificate once the watcher has read it; until then the old one.
    const deadline = Date.now() + 10_000;
    let served: string | undefined;
    while (Date.now() < deadline && served !== renewed) served = await servedSerial().catch(() => undefined);
    expect(served).toBe(renewed);
    // And a service client connecting now still passes verification end to end.
    seen = undefined;
    await serviceClient(clientFiles).getUser({ id: 'u1' });
    expect(seen).toEqual({ kind: 'service', service: 'gateway' });
  });

  it('picks up a renewed client certificate: new connections present it', async () => {
    const renewing = ca.issue('renewing-client');
    // A bare TLS server that records the certificate each client presents, then hangs up.
    const presented: string[] = [];
    let onConnection: (() => void) | undefined;
    const server = tls.createServer(
      {
        key: read(serverFiles.keyFile),
        cert: read(serverFiles.certFile),
        ca: read(ca.caFile),
        requestCert: true,
        rejectUnauthorized: true,
        ALPNProtocols: ['h2'],
      },
      (socket) => {
        presented.push(socket.getPeerCertificate().serialNumber.toUpperCase());
        socket.destroy();
        onConnection?.();
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
    /** One new connection from a client with the process's credentials; resolves once the server saw it. */
    const connectOnce = async () => {
      const client = new Client(address, grpcChannelCredentials(), { 'grpc.use_local_subchannel_pool': 1 });
      const seenByServer = new Promise<void>((resolve) => (onConnection = resolve));
      client.getChannel().getConnectivityState(true);
      await seenByServer;
      client.close();
      return presented.at(-1);
    };
    try {
      useTransportSecurity(renewing, { refreshIntervalMs: 50 });
      const first = new X509Certificate(read(renewing.certFile)).serialNumber;
      expect(await connectOnce()).toBe(first);
      ca.issue('renewing-client');
      const renewed = new X509Certificate(read(renewing.certFile)).serialNumber;
      expect(renewed).not.toBe(first);
      let latest: string | undefined;
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && latest !== renewed) latest = await connectOnce();
      expect(latest).toBe(renewed);
    } finally {
      server.close();
    }
  });

  /** The serial number of the certificate the server presents to a new TLS connection. */
  function servedSerial(): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        ca: read(ca.caFile),
        cert: read(clientFiles.certFile),
        key: read(clientFiles.keyFile),
        ALPNProtocols: ['h2'],
      });
      socket.once('secureConnect', () => {
        const serial = socket.getPeerCertificate().serialNumber;
        socket.destroy();
        resolve(serial.toUpperCase());
      });
      socket.once('error', reject);
    });
  }
});

describe('transport security configuration', () => {
  let dir: string;
  let files: TransportSecurityFiles;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grpc-tls-config-'));
    files = makeCa(dir, 'ca').issue('svc');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is off without any of the three variables', () => {
    expect(transportSecurityFilesOf({})).toBeUndefined();
    expect(transportSecurityFilesOf({ GRPC_TLS_CERT_FILE: '' })).toBeUndefined();
  });

  it('takes all three together', () => {
    expect(
      transportSecurityFilesOf({
        GRPC_TLS_CERT_FILE: files.certFile,
        GRPC_TLS_KEY_FILE: files.keyFile,
        GRPC_TLS_CA_FILE: files.caFile,
      }),
    ).toEqual(files);
  });

  it('refuses one or two of them, naming what is missing', () => {
    expect(() => transportSecurityFilesOf({ GRPC_TLS_CERT_FILE: files.certFile })).toThrow(
      TransportSecurityConfigError,
    );
    try {
      transportSecurityFilesOf({ GRPC_TLS_CERT_FILE: files.certFile, GRPC_TLS_CA_FILE: files.caFile });
      throw new Error('accepted');
    } catch (error) {
      expect((error as TransportSecurityConfigError).problems[0]).toBe(
        'GRPC_TLS_KEY_FILE is required when GRPC_TLS_CERT_FILE and GRPC_TLS_CA_FILE are set',
      );
    }
  });

  it('refuses a file that is missing, and a key that is not the certificate’s', () => {
    expect(() => new TransportSecurity({ ...files, caFile: path.join(dir, 'nope.crt') })).toThrow(
      /GRPC_TLS_CA_FILE \(.*nope\.crt\) cannot be read/,
    );
    const other = makeCa(dir, 'ca2').issue('svc2');
    expect(() => new TransportSecurity({ ...files, keyFile: other.keyFile })).toThrow(
      /GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE are not a matching/,
    );
  });
});
