import { ChildProcess, execFileSync, execSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkGrpcHealth } from '@parley/grpc';
import {
  createTestDatabase,
  freePort,
  repoRoot,
  startVectorStore,
  TestDatabase,
  testInfrastructure,
  type VectorStore,
} from '@parley/testing';

/**
 * What docker/Dockerfile builds, assembled without a Docker engine: production dependencies only
 * (`npm install --omit=dev --ignore-scripts` from the lock file, as the prod-deps stage), and per
 * image exactly what its stage copies (dist/libs, the service's own dist folder, dist/web for the
 * gateway, the migrations for the migrate image), each in an empty directory. Every bundle must
 * start and answer its health checks: a runtime import of a dev dependency, or of another service's
 * code, fails here.
 */
const SERVICES = ['auth', 'chat', 'model-gateway', 'retrieval', 'files', 'realtime', 'gateway'] as const;
const GRPC = new Set(['auth', 'chat', 'model-gateway', 'retrieval', 'files']);

describe('production bundles (as the images assemble them)', () => {
  const root = repoRoot();
  const work = mkdtempSync(join(tmpdir(), 'parley-bundles-'));
  const children: ChildProcess[] = [];
  let database: TestDatabase;
  // retrieval needs PostgreSQL with pgvector; the loopback one has none, so PGlite stands in.
  let vectorStore: VectorStore | undefined;

  beforeAll(() => {
    const deps = join(work, 'prod-deps');
    mkdirSync(deps);
    cpSync(join(root, 'package.json'), join(deps, 'package.json'));
    cpSync(join(root, 'package-lock.json'), join(deps, 'package-lock.json'));
    execSync(
      'npm install --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error',
      {
        cwd: deps,
        stdio: 'pipe',
        timeout: 600_000,
      },
    );
    // The prune docker/Dockerfile's prod-deps stage does (peers of @prisma/client not needed at run time).
    execSync(
      'rm -rf node_modules/prisma node_modules/typescript node_modules/@prisma/engines node_modules/.bin/prisma node_modules/.bin/tsc node_modules/.bin/tsserver',
      {
        cwd: deps,
        shell: '/bin/bash',
      },
    );
  }, 660_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await database?.drop();
    await vectorStore?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** One image's filesystem: /app with node_modules, package.json and what the stage copies. */
  function assemble(image: string, extra: string[]): string {
    const app = join(work, image);
    mkdirSync(app);
    symlinkSync(join(work, 'prod-deps', 'node_modules'), join(app, 'node_modules'));
    cpSync(join(root, 'package.json'), join(app, 'package.json'));
    for (const path of ['dist/libs', ...extra])
      cpSync(join(root, path), join(app, path), { recursive: true });
    return app;
  }

  it('installs no development dependency', () => {
    const installed = new Set(readdirSync(join(work, 'prod-deps', 'node_modules')));
    for (const devOnly of ['jest', 'nx', 'typescript', 'prisma', '@swc', 'vite', 'eslint'])
      expect(installed.has(devOnly)).toBe(false);
  });

  it('migrates a database from the migrate image alone', async () => {
    database = await createTestDatabase({ migrate: false });
    const services = readdirSync(join(root, 'services')).filter((s) =>
      readdirSync(join(root, 'services', s)).includes('prisma'),
    );
    const app = assemble(
      'migrate',
      services.map((s) => `services/${s}/prisma/migrations`),
    );
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, LOG_LEVEL: 'error' };
    execFileSync(process.execPath, ['dist/libs/database/src/migrate.cli.js'], {
      cwd: app,
      env,
      stdio: 'pipe',
    });
    const again = execFileSync(process.execPath, ['dist/libs/database/src/migrate.cli.js'], {
      cwd: app,
      env: { ...env, LOG_LEVEL: 'info' },
      encoding: 'utf8',
    });
    expect(again).toContain('database is up to date');
  });

  it.each(SERVICES)(
    'starts the %s bundle and answers its health checks, then drains on SIGTERM',
    async (service) => {
      const infra = await testInfrastructure();
      const app = assemble(service, [
        `dist/services/${service}`,
        ...(service === 'gateway' ? ['dist/web'] : []),
      ]);
      const httpPort = await freePort();
      const grpcPort = await freePort();
      if (service === 'retrieval') vectorStore ??= await startVectorStore();
      const child = spawn(process.execPath, [`dist/services/${service}/src/main.js`], {
        cwd: app,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'production',
          DATABASE_URL: database.url,
          REDIS_URL: infra.redisUrl,
          NATS_URL: infra.natsUrl,
          WEBUI_SECRET_KEY: 'a-long-enough-secret-for-the-bundle-test',
          CALLER_ASSERTION_SECRET: 'a-long-enough-caller-assertion-secret-for-the-bundle-test',
          UPLOAD_DIR: join(app, 'data'),
          ...(service === 'retrieval' && vectorStore ? { PGVECTOR_DB_URL: vectorStore.url } : {}),
          LOG_LEVEL: 'warn',
          ...(service === 'gateway'
            ? { PORT: String(httpPort) }
            : { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort) }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let output = '';
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      let ready = 0;
      for (let i = 0; i < 150 && ready !== 200 && child.exitCode === null; i++) {
        ready = await fetch(`http://127.0.0.1:${httpPort}/health/ready`).then(
          (r) => r.status,
          () => 0,
        );
        if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (ready !== 200) throw new Error(`${service} bundle never became ready:\n${output.slice(-3000)}`);
      if (GRPC.has(service)) expect(await checkGrpcHealth(`127.0.0.1:${grpcPort}`)).toBe('SERVING');
      if (service === 'gateway') {
        const page = await fetch(`http://127.0.0.1:${httpPort}/`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('<div id="root">');
      }
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`${service} bundle exited ${code} on SIGTERM:\n${output.slice(-3000)}`);
    },
  );
});
