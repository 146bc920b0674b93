import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { startS3Server, type S3TestServer } from './s3-server';
import { ServiceName, ServiceProcess, startServiceProcess } from './service-process';
import { createTestCa, type TestCa, type TestCertificateFiles } from './test-certificates';
import { createTestDatabase, TestDatabase } from './test-database';
import { testInfrastructure } from './test-infrastructure';
import { startVectorStore, type VectorStore } from './vector-store';

export interface StackOptions {
  /** Copies of each service to run; a service left out is not started. */
  copies: Partial<Record<ServiceName, number>>;
  /** Extra env for every process. */
  env?: Record<string, string>;
  /** Extra arguments for node in every process (profiling: ['--cpu-prof', '--cpu-prof-dir=...']). */
  nodeArgs?: string[];
  /**
   * Mutual TLS between the services (GRPC_TLS_* on every process), from a throwaway CA: one certificate
   * for the services (localhost, 127.0.0.1) and one for the test process (Stack.tls.client).
   */
  tls?: boolean;
  /**
   * A database to share instead of a fresh one (two regions of one installation); the stack does not
   * drop it on stop.
   */
  database?: TestDatabase;
  /** Files in a real S3-protocol server (s3rver) shared by every files copy; default: a temp UPLOAD_DIR. */
  s3?: boolean;
}

export interface Stack {
  database: TestDatabase;
  secret: string;
  /** CALLER_ASSERTION_SECRET of every process: tests sign direct gRPC calls with it (testCallerSigning). */
  callerSecret: string;
  /** The copies of each service, in start order. */
  services: Partial<Record<ServiceName, ServiceProcess[]>>;
  /** gRPC targets (host:port) of each copy, where the service serves gRPC. */
  grpcTargets: Partial<Record<ServiceName, string[]>>;
  gatewayUrls: string[];
  /** Each gateway copy's public gRPC API (GRPC_API_PORT, host:port), by copy. */
  grpcApiTargets: string[];
  /** Each gateway copy's internal metrics listener (METRICS_PORT), by copy. */
  gatewayMetricsUrls: string[];
  realtimeUrls: string[];
  /**
   * With `tls: true`: the CA, the services' certificate, and a certificate for the test's own gRPC
   * clients (pass it to useTransportSecurity before calling a service directly).
   */
  tls?: { ca: TestCa; services: TestCertificateFiles; client: TestCertificateFiles };
  /** With `s3: true`: the S3 server the files service stores in. */
  s3?: S3TestServer;
  /** Where the files service stores with the local provider. */
  uploadDir: string;
  /**
   * With retrieval copies: the PGlite+pgvector store (PGVECTOR_DB_URL) that every retrieval copy shares,
   * as they would share one PostgreSQL with pgvector.
   */
  vectorStoreUrl?: string;
  /**
   * Starts copy `index` of a service again on its own ports with its own env, stopping it first if it
   * still runs: a dependency that went down (`services[name][index].stop()`) comes back.
   */
  restart(name: ServiceName, index?: number): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

const GRPC_SERVICES: ServiceName[] = ['auth', 'chat', 'model-gateway', 'retrieval', 'files'];
/** Callees before callers: the order every service starts in. */
export const SERVICE_START_ORDER: ServiceName[] = [
  'auth',
  'chat',
  'files',
  // retrieval calls files; model-gateway and gateway call retrieval
  'retrieval',
  'model-gateway',
  'realtime',
  'gateway',
];

/**
 * Starts built services as separate processes on free ports, against a fresh database. Copy i of a
 * caller talks to copy i of its callees (wrapping around), so with two copies of gateway, chat and
 * realtime a request entering gateway A goes through chat A while a socket on gateway B sits on
 * realtime B: exactly the cross-copy paths production has.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const infra = await testInfrastructure();
  const database = options.database ?? (await createTestDatabase());
  const secret = randomBytes(24).toString('hex');
  const callerSecret = randomBytes(24).toString('hex');
  // Suites share the machine's Redis and NATS: each stack's copies get their own names there.
  const instance = randomBytes(4).toString('hex');
  const services: Stack['services'] = {};
  const grpcTargets: Stack['grpcTargets'] = {};
  const httpUrls: Partial<Record<ServiceName, string[]>> = {};
  const pick = (name: ServiceName, i: number, fallbackPort: number) => {
    const list = grpcTargets[name];
    return list?.length ? list[i % list.length]! : `127.0.0.1:${fallbackPort}`;
  };
  const ca = options.tls ? createTestCa('parley-stack-ca') : undefined;
  const tls = ca && { ca, services: ca.issue('services'), client: ca.issue('test-client') };
  const tlsEnv: Record<string, string> = tls
    ? {
        GRPC_TLS_CERT_FILE: tls.services.certFile,
        GRPC_TLS_KEY_FILE: tls.services.keyFile,
        GRPC_TLS_CA_FILE: tls.services.caFile,
      }
    : {};
  const uploadDir = mkdtempSync(join(tmpdir(), 'parley-stack-files-'));
  // How each copy was started, so `restart` brings it back the same.
  const launches = new Map<ServiceProcess, Parameters<typeof startServiceProcess>>();
  const s3 = options.s3 ? await startS3Server() : undefined;
  const retrievalCopies = options.copies.retrieval ?? 0;
  // Each copy's pools need their connections; above the limit PGlite refuses a connection.
  const vectorStore: VectorStore | undefined =
    retrievalCopies > 0 ? await startVectorStore({ maxConnections: 32 * retrievalCopies }) : undefined;
  const retrievalEnv: Record<string, string> = vectorStore
    ? {
        VECTOR_DB: 'pgvector',
        PGVECTOR_DB_URL: vectorStore.url,
        // Stacks share one NATS: each its own work queue and its own consumer of the file events.
        RETRIEVAL_WORK_QUEUE: `RETRIEVAL_${instance.toUpperCase()}`,
        RETRIEVAL_FILE_EVENTS_CONSUMER: `retrieval-${instance.toLowerCase()}`,
      }
    : {};
  const filesEnv: Record<string, string> = {
    UPLOAD_DIR: uploadDir,
    FILES_WORK_QUEUE: `FILES_${instance.toUpperCase()}`,
    ...(s3?.env ?? {}),
  };
  const stack: Stack = {
    database,
    uploadDir,
    ...(s3 ? { s3 } : {}),
    ...(vectorStore ? { vectorStoreUrl: vectorStore.url } : {}),
    secret,
    callerSecret,
    services,
    grpcTargets,
    gatewayUrls: [],
    grpcApiTargets: [],
    gatewayMetricsUrls: [],
    realtimeUrls: [],
    ...(tls ? { tls } : {}),
    async restart(name, index = 0) {
      const list = services[name];
      const old = list?.[index];
      const launch = old && launches.get(old);
      if (!list || !old || !launch) throw new Error(`no copy ${index} of ${name} in this stack`);
      await old.stop('SIGTERM');
      const proc = await startServiceProcess(...launch);
      launches.set(proc, launch);
      list[index] = proc;
      return proc;
    },
    async stop() {
      const all = Object.values(services).flat() as ServiceProcess[];
      await Promise.all(all.map((proc) => proc.stop('SIGTERM')));
      if (!options.database) await database.drop();
      await s3?.stop();
      await vectorStore?.stop();
      rmSync(uploadDir, { recursive: true, force: true });
      ca?.remove();
    },
  };
  try {
    for (const name of SERVICE_START_ORDER) {
      const count = options.copies[name] ?? 0;
      for (let i = 0; i < count; i++) {
        const httpPort = await freePort();
        const grpcPort = GRPC_SERVICES.includes(name) ? await freePort() : undefined;
        const metricsPort = name === 'gateway' ? await freePort() : undefined;
        const grpcApiPort = name === 'gateway' ? await freePort() : undefined;
        const realtimeList = httpUrls.realtime ?? [];
        const env: Record<string, string> = {
          DATABASE_URL: database.url,
          REDIS_URL: infra.redisUrl,
          NATS_URL: infra.natsUrl,
          WEBUI_SECRET_KEY: secret,
          CALLER_ASSERTION_SECRET: callerSecret,
          AUTH_GRPC_URL: pick('auth', i, 1),
          CHAT_GRPC_URL: pick('chat', i, 1),
          AUTH_HTTP_URL: httpUrls.auth?.length
            ? httpUrls.auth[i % httpUrls.auth.length]!
            : 'http://127.0.0.1:1',
          MODEL_GATEWAY_GRPC_URL: pick('model-gateway', i, 1),
          FILES_GRPC_URL: pick('files', i, 1),
          ...(retrievalCopies > 0 ? { RETRIEVAL_GRPC_URL: pick('retrieval', i, 1) } : {}),
          REALTIME_URL: realtimeList.length ? realtimeList[i % realtimeList.length]! : 'http://127.0.0.1:1',
          SHUTDOWN_GRACE_MS: '10000',
          // Every test signs in from 127.0.0.1; suites that test the per-IP limit set their own.
          SIGNIN_RATE_LIMIT_PER_IP: '100000',
          MODEL_GATEWAY_CLUSTER: `mg-${instance}`,
          REALTIME_CLUSTER: `rt-${instance}`,
          ...(name === 'gateway' ? { PORT: String(httpPort) } : { HTTP_PORT: String(httpPort) }),
          ...(grpcPort ? { GRPC_PORT: String(grpcPort) } : {}),
          ...(metricsPort ? { METRICS_PORT: String(metricsPort) } : {}),
          ...(grpcApiPort ? { GRPC_API_PORT: String(grpcApiPort) } : {}),
          ...tlsEnv,
          ...(name === 'files' ? filesEnv : {}),
          ...(name === 'retrieval' ? retrievalEnv : {}),
          ...options.env,
        };
        const launch: Parameters<typeof startServiceProcess> = [
          name,
          { env, httpPort, label: `${name}-${String.fromCharCode(97 + i)}`, nodeArgs: options.nodeArgs },
        ];
        const proc = await startServiceProcess(...launch);
        launches.set(proc, launch);
        (services[name] ??= []).push(proc);
        (httpUrls[name] ??= []).push(proc.httpUrl);
        if (metricsPort) stack.gatewayMetricsUrls.push(`http://127.0.0.1:${metricsPort}`);
        if (grpcApiPort) stack.grpcApiTargets.push(`127.0.0.1:${grpcApiPort}`);
        if (grpcPort) (grpcTargets[name] ??= []).push(`127.0.0.1:${grpcPort}`);
      }
    }
  } catch (error) {
    await stack.stop().catch(() => undefined);
    throw error;
  }
  stack.gatewayUrls = httpUrls.gateway ?? [];
  stack.realtimeUrls = httpUrls.realtime ?? [];
  return stack;
}
