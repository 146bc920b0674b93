// `npm start`'s supervisor (tools/dev/start-local-stack.mjs), run as a newcomer runs it but on moved
// ports and with the already-built tree: it prints the URL once every service is ready, brings back a
// service killed with SIGKILL, and on SIGINT stops every process it started and frees every port.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, repoRoot, tcpAnswers, TestDatabase } from '@parley/testing';

jest.setTimeout(240_000);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ready(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200;
  } catch {
    return false;
  }
}

/** Offsets from the base of every port npm start listens on: HTTP, the vector store (+9), gRPC. */
const PORT_OFFSETS = [0, 1, 2, 3, 4, 5, 6, 9, 100, 101, 102, 103, 104];

/** A base where every port of PORT_OFFSETS is free. */
async function freePortBase(): Promise<number> {
  for (;;) {
    const base = 20000 + Math.floor(Math.random() * 20000);
    const ports = PORT_OFFSETS.map((d) => base + d);
    const used = await Promise.all(ports.map((p) => tcpAnswers('127.0.0.1', p, 300)));
    if (!used.some(Boolean)) return base;
  }
}

describe('npm start (local supervisor)', () => {
  let database: TestDatabase;
  let supervisor: ChildProcess;
  let output = '';
  let base: number;
  // Not the checkout's .cache/pglite-vector: a developer's own npm start may hold that one.
  const vectorStoreDir = mkdtempSync(join(tmpdir(), 'parley-local-start-vector-'));
  /** Where the PostgreSQL has no pgvector, npm start runs PGlite for it as one more process. */
  const withPglite = () => output.includes('PGlite with pgvector serves it');
  const pidFile = join(repoRoot(), '.cache', `e2e-local-start-${randomBytes(4).toString('hex')}.pids`);

  const pids = (): Record<string, number> =>
    Object.fromEntries(
      readFileSync(pidFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(' '))
        .map(([name, pid]) => [name, Number(pid)]),
    );

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    base = await freePortBase();
    supervisor = spawn(process.execPath, ['tools/dev/start-local-stack.mjs'], {
      cwd: repoRoot(),
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        PARLEY_PORT_BASE: String(base),
        PARLEY_GRPC_PORT_BASE: String(base + 100),
        PORT: String(base),
        PARLEY_SKIP_BUILD: 'true',
        PARLEY_PID_FILE: pidFile,
        PARLEY_VECTOR_DB_DIR: vectorStoreDir,
        REALTIME_CLUSTER: `rt-${randomBytes(4).toString('hex')}`,
        MODEL_GATEWAY_CLUSTER: `mg-${randomBytes(4).toString('hex')}`,
        WEBUI_SECRET_KEY: randomBytes(24).toString('hex'),
        SHUTDOWN_GRACE_MS: '3000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    supervisor.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    supervisor.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(
      'the printed URL',
      () => {
        if (supervisor.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
        return output.includes(`Parley is running: open http://127.0.0.1:${base}`);
      },
      150_000,
    );
  });

  afterAll(async () => {
    if (supervisor?.exitCode === null) {
      supervisor.kill('SIGINT');
      await waitFor('the supervisor to exit', () => supervisor.exitCode !== null, 60_000).catch(() =>
        supervisor.kill('SIGKILL'),
      );
    }
    await database?.drop();
    rmSync(vectorStoreDir, { recursive: true, force: true });
  });

  it('serves every service once the URL is printed', async () => {
    for (let i = 0; i <= 6; i++) expect(await ready(base + i)).toBe(true);
    const listed = pids();
    const expected = [
      'auth',
      'chat',
      'files',
      'gateway',
      'model-gateway',
      'realtime',
      'retrieval',
      'supervisor',
    ];
    expect(Object.keys(listed).sort()).toEqual(
      [...expected, ...(withPglite() ? ['vector-store'] : [])].sort(),
    );
    expect(output).toMatch(/Vector store: /);
    expect(listed.supervisor).toBe(supervisor.pid);
  });

  it('brings back a service killed with SIGKILL, and says so', async () => {
    const before = pids().chat!;
    process.kill(before, 'SIGKILL');
    await waitFor('chat to be restarted', () => pids().chat !== undefined && pids().chat !== before, 15_000);
    await waitFor('chat to be ready again', () => ready(base + 2), 30_000);
    expect(pidAlive(before)).toBe(false);
    expect(output).toContain('chat stopped unexpectedly (signal SIGKILL)');
    expect(output).toContain('Restarting chat');
    // the others were left running
    expect(await ready(base)).toBe(true);
  });

  it('on SIGINT stops every process it started and frees every port', async () => {
    const children = Object.entries(pids()).filter(([name]) => name !== 'supervisor');
    expect(children).toHaveLength(withPglite() ? 8 : 7);
    for (const [, pid] of children) expect(pidAlive(pid)).toBe(true);
    supervisor.kill('SIGINT');
    await waitFor('the supervisor to exit', () => supervisor.exitCode !== null, 60_000);
    expect(supervisor.exitCode).toBe(0);
    expect(children.filter(([, pid]) => pidAlive(pid))).toEqual([]);
    const ports = PORT_OFFSETS.map((d) => base + d);
    const busy = [];
    for (const port of ports) if (await tcpAnswers('127.0.0.1', port, 500)) busy.push(port);
    expect(busy).toEqual([]);
  });
});
