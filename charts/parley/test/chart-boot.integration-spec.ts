// A chart smoke without a cluster: render the default values, give every Deployment's process
// exactly the env the chart gives it (Secrets resolved, the release's Service names mapped to the
// loopback, the stores pointed at the test's PostgreSQL, Redis and NATS, and retrieval's vector store at
// a PGlite with pgvector, which the loopback PostgreSQL lacks), start all seven services
// and check that each becomes ready and that a user can sign up and sign in through the gateway.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  freePort,
  SERVICE_START_ORDER,
  startServiceProcess,
  startVectorStore,
  testInfrastructure,
  type ServiceName,
  type ServiceProcess,
  type TestDatabase,
  type VectorStore,
} from '@parley/testing';
import { RELEASE, componentOf, ofKind, template, writeValues, type Obj } from './rendered-chart';
import { renderedEnv } from './rendered-env';

const START_ORDER = SERVICE_START_ORDER;
const VALUE_KEYS: Record<ServiceName, string> = {
  gateway: 'gateway',
  auth: 'auth',
  chat: 'chat',
  'model-gateway': 'modelGateway',
  retrieval: 'retrieval',
  files: 'files',
  realtime: 'realtime',
};

describe('the chart’s default values boot every service (no cluster)', () => {
  let database: TestDatabase;
  let vectorStore: VectorStore;
  const processes: ServiceProcess[] = [];
  const uploads = mkdtempSync(join(tmpdir(), 'parley-chart-boot-'));
  let gatewayUrl = '';

  beforeAll(async () => {
    const infra = await testInfrastructure();
    database = await createTestDatabase();
    vectorStore = await startVectorStore();
    // Free ports instead of the chart's fixed ones, set through the chart's own values.
    const ports: string[] = [];
    for (const key of Object.values(VALUE_KEYS)) {
      ports.push(`${key}:\n  httpPort: ${await freePort()}`);
      if (key !== 'gateway' && key !== 'realtime')
        ports[ports.length - 1] += `\n  grpcPort: ${await freePort()}`;
    }
    ports.push(`gateway:\n  metricsPort: ${await freePort()}\n  grpcApiPort: ${await freePort()}`);
    const objs = template(ports.map((p) => writeValues(p)));
    const deployments = new Map(ofKind(objs, 'Deployment').map((d) => [componentOf(d), d] as const));
    // The release's Service names (parley-auth, parley-auth-grpc, ...) resolve to the loopback here.
    const serviceHost = new RegExp(`\\b${RELEASE}-[a-z-]+?(-grpc)?(?=:\\d)`, 'g');
    for (const name of START_ORDER) {
      const deployment: Obj = deployments.get(name)!;
      const env = renderedEnv(objs, deployment);
      for (const [key, value] of Object.entries(env)) {
        if (/_(GRPC_URL|HTTP_URL)$|^REALTIME_URL$/.test(key))
          env[key] = value.replace(serviceHost, '127.0.0.1');
      }
      Object.assign(env, {
        DATABASE_URL: database.url,
        REDIS_URL: infra.redisUrl,
        NATS_URL: infra.natsUrl,
        ...(env.UPLOAD_DIR ? { UPLOAD_DIR: join(uploads, 'files') } : {}),
        ...(env.PGVECTOR_DB_URL ? { PGVECTOR_DB_URL: vectorStore.url } : {}),
      });
      const httpPort = Number(env.PORT ?? env.HTTP_PORT);
      processes.push(await startServiceProcess(name, { env, httpPort, label: `chart-${name}` }));
      if (name === 'gateway') gatewayUrl = `http://127.0.0.1:${httpPort}`;
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await database?.drop();
    await vectorStore?.stop();
    rmSync(uploads, { recursive: true, force: true });
  });

  it('starts all seven services to ready', () => {
    expect(processes.map((p) => p.name)).toEqual(START_ORDER.map((n) => `chart-${n}`));
  });

  it('signs a user up and in through the gateway, across auth over gRPC with a verified caller', async () => {
    const email = `chart-boot-${Date.now()}@example.com`;
    const signUp = await fetch(`${gatewayUrl}/api/v1/auths/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Chart', email, password: 'correct horse battery' }),
    });
    expect(signUp.status).toBe(200);
    const { token } = (await signUp.json()) as { token: string };
    const me = await fetch(`${gatewayUrl}/api/v1/auths/`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    // And a chat list through the chat service (gateway → chat over the rendered dns:/// target).
    const chats = await fetch(`${gatewayUrl}/api/v1/chats/`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(chats.status).toBe(200);
  });
});
