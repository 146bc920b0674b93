import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { createGrpcClient } from '@parley/grpc';
import { authV1 } from '@parley/proto';
import { request, signUp } from './support/http';
import { startOtlpReceiver } from './support/otlp-receiver';
import { scanKeys } from './support/redis-keys';
import { waitFor } from './support/sockets';
import {
  createTestDatabase,
  freePort,
  startFakeLlm,
  startStack,
  repoRoot,
  startServiceProcess,
  testInfrastructure,
  TEST_CALLER_SECRET,
  serviceCaller,
  testCallerSigning,
  type ServiceProcess,
  type TestDatabase,
} from '@parley/testing';

/**
 * An Open WebUI operator's configuration carries over (docs/from-open-webui.md): a `.env` in the
 * working directory, the database given as Open WebUI's parts, and Open WebUI variables Parley does
 * not honour named in a warning instead of being silently ignored.
 */
describe('an Open WebUI env file', () => {
  let database: TestDatabase;
  let dir: string;
  let auth: ServiceProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'parley-owui-env-'));
  });

  afterAll(async () => {
    await auth?.stop();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is read from the working directory: composed database, pool size, and a warning per unsupported variable', async () => {
    const infra = await testInfrastructure();
    const url = new URL(database.url);
    writeFileSync(
      join(dir, '.env'),
      [
        '# written the way an Open WebUI operator writes one',
        'DATABASE_TYPE=postgresql',
        `DATABASE_USER=${decodeURIComponent(url.username)}`,
        `DATABASE_PASSWORD=${decodeURIComponent(url.password)}`,
        `DATABASE_HOST=${url.hostname}`,
        `DATABASE_PORT=${url.port || '5432'}`,
        `DATABASE_NAME=${url.pathname.slice(1)}`,
        'DATABASE_POOL_SIZE=3',
        `REDIS_URL=${infra.redisUrl}`,
        `NATS_URL=${infra.natsUrl}`,
        'WEBUI_SECRET_KEY=an-open-webui-secret-key-of-some-length',
        'CHROMA_HTTP_HOST=chroma.internal',
        'ENABLE_SIGNUP=false',
        '',
      ].join('\n'),
    );
    const httpPort = await freePort();
    const grpcPort = await freePort();
    auth = await startServiceProcess('auth', {
      cwd: dir,
      httpPort,
      // Only what the platform adds; everything an operator brings comes from the .env.
      env: {
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        CALLER_ASSERTION_SECRET: TEST_CALLER_SECRET,
      },
    });
    // Many calls at once need many connections: PostgreSQL sees the pool grow to its size, no further.
    const client = createGrpcClient(authV1.AuthService, `127.0.0.1:${grpcPort}`, {
      deadlineMs: 10_000,
      peerName: 'auth',
      signing: testCallerSigning('auth'),
      defaultCaller: serviceCaller('gateway'),
    });
    const pg = new Client({ connectionString: infra.databaseUrl });
    await pg.connect();
    try {
      let most = 0;
      await Promise.all([
        ...Array.from({ length: 60 }, () => client.getSignInOptions({})),
        (async () => {
          for (let i = 0; i < 20; i++) {
            const { rows } = await pg.query<{ n: string }>(
              'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1',
              [url.pathname.slice(1)],
            );
            most = Math.max(most, Number(rows[0]!.n));
          }
        })(),
      ]);
      const { rows } = await pg.query<{ n: string }>(
        'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1',
        [url.pathname.slice(1)],
      );
      most = Math.max(most, Number(rows[0]!.n));
      expect(most).toBeGreaterThanOrEqual(1);
      expect(most).toBeLessThanOrEqual(3);
    } finally {
      client.close();
      await pg.end();
    }
    const logs = auth.logs();
    // Ready means it reached PostgreSQL through the composed URL (readiness checks it).
    expect(logs).toContain('"DATABASE_POOL_SIZE":3');
    expect(logs).toContain('"ENABLE_SIGNUP":false');
    expect(logs).toMatch(/CHROMA_HTTP_HOST is an Open WebUI setting Parley does not honour: [^"]*pgvector/);
    expect(logs).not.toContain('an-open-webui-secret-key-of-some-length');
  });

  it('stops the start on SQLite, saying why and what to do', () => {
    const result = spawnSync(process.execPath, [join(repoRoot(), 'dist/services/chat/src/main.js')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_TYPE: 'sqlite',
        CALLER_ASSERTION_SECRET: TEST_CALLER_SECRET,
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toMatch(/DATABASE_TYPE "sqlite" is not supported: Parley runs on PostgreSQL only/);
  });

  it('takes the models from OLLAMA_BASE_URL, cookie flags, the Redis key prefix and OTel export from Open WebUI names', async () => {
    const ollama = await startFakeLlm({ models: ['llama-singular:latest'] });
    const otlp = await startOtlpReceiver();
    const prefix = `owui-${randomUUID().slice(0, 8)}`;
    const stack = await startStack({
      copies: { auth: 1, 'model-gateway': 1, gateway: 1 },
      env: {
        OLLAMA_BASE_URL: ollama.url,
        ENABLE_OPENAI_API: 'false',
        WEBUI_SESSION_COOKIE_SAME_SITE: 'strict',
        WEBUI_SESSION_COOKIE_SECURE: 'true',
        REDIS_KEY_PREFIX: prefix,
        ENABLE_OTEL: 'true',
        ENABLE_OTEL_METRICS: 'true',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_METRIC_EXPORT_INTERVAL: '500',
      },
    });
    const redis = new Redis((await testInfrastructure()).redisUrl);
    try {
      const gateway = stack.gatewayUrls[0]!;
      const admin = await signUp(gateway, 'Ada', `ada-${randomUUID()}@example.com`);
      const signUpAnswer = await fetch(`${gateway}/api/v1/auths/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '2001:db8:0e1::1' },
        body: JSON.stringify({
          name: 'Cookie',
          email: `cookie-${randomUUID()}@example.com`,
          password: 'correct horse battery',
        }),
      });
      expect(signUpAnswer.status).toBe(200);
      const cookie = signUpAnswer.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^token=/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/; Secure/); // over plain HTTP too: the operator asked for it
      expect(cookie).toMatch(/HttpOnly/);
      const models = await request<{ data: Array<{ id: string }> }>(gateway, 'GET', '/api/models', {
        token: admin.token,
      });
      expect(models.status).toBe(200);
      expect(models.body.data.map((m) => m.id)).toContain('llama-singular:latest');
      // The sign-up's rate-limit window lives under the installation's prefix.
      expect(await scanKeys(redis, `${prefix}:parley:ratelimit:signin:*`)).not.toEqual([]);
      // Spans and metrics reach the collector over OTLP/HTTP.
      const fromGateway = () => otlp.metrics.filter((m) => m.service === 'gateway');
      await waitFor(
        () => fromGateway().some((m) => m.name === 'parley_http_request_duration_seconds'),
        15_000,
        'the gateway metrics over OTLP',
      );
      expect(fromGateway().find((m) => m.name === 'parley_http_request_duration_seconds')?.kind).toBe(
        'histogram',
      );
      expect(fromGateway().find((m) => m.name === 'process_cpu_user_seconds_total')?.kind).toBe('sum');
      await waitFor(() => otlp.spans.some((span) => span.service === 'gateway'), 15_000, 'gateway spans');
    } finally {
      redis.disconnect();
      await stack.stop();
      await ollama.close();
      otlp.server.close();
    }
  });
});
