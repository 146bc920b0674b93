import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { request, signUp } from './support/http';
import {
  createTestDatabase,
  freePort,
  startFakeLlm,
  startStack,
  repoRoot,
  startServiceProcess,
  testInfrastructure,
  TEST_CALLER_SECRET,
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
    auth = await startServiceProcess('auth', {
      cwd: dir,
      httpPort,
      // Only what the platform adds; everything an operator brings comes from the .env.
      env: {
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(await freePort()),
        CALLER_ASSERTION_SECRET: TEST_CALLER_SECRET,
      },
    });
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

  it('takes the models from the singular OLLAMA_BASE_URL and the cookie flags from WEBUI_SESSION_COOKIE_*', async () => {
    const ollama = await startFakeLlm({ models: ['llama-singular:latest'] });
    const stack = await startStack({
      copies: { auth: 1, 'model-gateway': 1, gateway: 1 },
      env: {
        OLLAMA_BASE_URL: ollama.url,
        ENABLE_OPENAI_API: 'false',
        WEBUI_SESSION_COOKIE_SAME_SITE: 'strict',
        WEBUI_SESSION_COOKIE_SECURE: 'true',
      },
    });
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
    } finally {
      await stack.stop();
      await ollama.close();
    }
  });
});
