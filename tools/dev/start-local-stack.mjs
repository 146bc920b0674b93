// `npm start`: installs what is missing, builds, applies migrations and starts all seven services as
// separate processes on the loopback PostgreSQL, Redis and NATS; the web app is served by the gateway.
// A service that dies is restarted with backoff; Ctrl-C, SIGTERM or a failure of this script stops
// every process cleanly (each drains in-flight work first, SIGKILL after a grace) and waits for them.
// Where the PostgreSQL has no pgvector (Debian's PostgreSQL 15 packages none), the retrieval service's
// vector store is PGlite with pgvector served over the PostgreSQL wire protocol, kept in
// .cache/pglite-vector across runs, started first and stopped last.
// Only Node's own modules are imported statically: dependencies (pg) are loaded after the install.
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { checkDependencies, DEFAULT_URLS, describeMissing, tcpAnswers } from './infrastructure.mjs';
import { ensureDependencies } from './install-dependencies.mjs';

process.env.NX_DAEMON = 'false';
process.env.NX_NO_CLOUD = 'true';
process.env.NX_TUI = 'false';

// PARLEY_PORT_BASE moves the HTTP ports (gateway = base, auth = base+1 ... realtime = base+6) and
// PARLEY_GRPC_PORT_BASE the gRPC ports (auth = base ... files = base+4; the gateway's public gRPC API
// = base-1, 50050 by default, GRPC_API_PORT's default); PORT still sets the gateway's.
const HTTP_BASE = Number(process.env.PARLEY_PORT_BASE ?? 8080);
const GRPC_BASE = Number(process.env.PARLEY_GRPC_PORT_BASE ?? 50051);
const PORT = Number(process.env.PORT ?? HTTP_BASE);
const GRPC_API_PORT = GRPC_BASE - 1;
// PARLEY_PORT_BASE+9 (8089): the PGlite vector store, when it is needed (see startVectorStoreIfNeeded).
const VECTOR_STORE_PORT = HTTP_BASE + 9;
const VECTOR_STORE_DIR = process.env.PARLEY_VECTOR_DB_DIR ?? '.cache/pglite-vector';
const SERVICES = [
  { name: 'auth', http: HTTP_BASE + 1, grpc: GRPC_BASE },
  { name: 'chat', http: HTTP_BASE + 2, grpc: GRPC_BASE + 1 },
  { name: 'model-gateway', http: HTTP_BASE + 3, grpc: GRPC_BASE + 2 },
  { name: 'retrieval', http: HTTP_BASE + 4, grpc: GRPC_BASE + 3 },
  { name: 'files', http: HTTP_BASE + 5, grpc: GRPC_BASE + 4 },
  { name: 'realtime', http: HTTP_BASE + 6 },
  { name: 'gateway', http: PORT, grpcApi: GRPC_API_PORT },
];
/** Where the running children's pids are written (one `name pid` a line), for checks that none is left. */
const PID_FILE = process.env.PARLEY_PID_FILE ?? '.cache/npm-start.pids';
const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 10000;
/** A service that stayed up this long starts again from the shortest backoff when it dies. */
const RESTART_RESET_AFTER_MS = 30000;
/** After SIGTERM a service has its own drain grace (SHUTDOWN_GRACE_MS) and then this much more. */
const STOP_GRACE_MS = Number(process.env.SHUTDOWN_GRACE_MS ?? 10000) + 5000;

const children = [];
let stopping = false;

function fail(message) {
  console.error(`\n${message}`);
  if (children.length) return stopAll(1);
  process.exit(1);
}
process.on('uncaughtException', (error) => fail(`npm start failed: ${error?.stack ?? error}`));
process.on('unhandledRejection', (error) => fail(`npm start failed: ${error?.stack ?? error}`));
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

ensureDependencies();

const missing = await checkDependencies();
if (missing.length)
  fail(
    `Parley needs these services, and they do not answer:\n${describeMissing(missing)}\nThen run npm start again.`,
  );

for (const service of [...SERVICES, { name: 'vector store', http: VECTOR_STORE_PORT }]) {
  for (const port of [service.http, service.grpc, service.grpcApi].filter(Boolean)) {
    if (await tcpAnswers('127.0.0.1', port))
      fail(
        `Port ${port} (${service.name}) is already in use; stop what uses it (an earlier npm start?) and try again.`,
      );
  }
}

if (process.env.PARLEY_SKIP_BUILD === 'true') console.log('Not building (PARLEY_SKIP_BUILD=true).');
else {
  console.log('Building (cached after the first run)...');
  execSync('npx nx run-many -t build --parallel=2 --outputStyle=static', { stdio: 'inherit' });
}

const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? DEFAULT_URLS.DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL ?? DEFAULT_URLS.REDIS_URL,
  NATS_URL: process.env.NATS_URL ?? DEFAULT_URLS.NATS_URL,
  WEBUI_SECRET_KEY: process.env.WEBUI_SECRET_KEY ?? localSecret('local-webui-secret-key'),
  CALLER_ASSERTION_SECRET:
    process.env.CALLER_ASSERTION_SECRET ?? localSecret('local-caller-assertion-secret'),
  AUTH_GRPC_URL: `127.0.0.1:${GRPC_BASE}`,
  CHAT_GRPC_URL: `127.0.0.1:${GRPC_BASE + 1}`,
  MODEL_GATEWAY_GRPC_URL: `127.0.0.1:${GRPC_BASE + 2}`,
  RETRIEVAL_GRPC_URL: `127.0.0.1:${GRPC_BASE + 3}`,
  FILES_GRPC_URL: `127.0.0.1:${GRPC_BASE + 4}`,
  // The files service's bytes (STORAGE_PROVIDER=local); set STORAGE_PROVIDER=s3 and S3_* to use S3 instead.
  UPLOAD_DIR: process.env.UPLOAD_DIR ?? '.cache/uploads',
  AUTH_HTTP_URL: `http://127.0.0.1:${HTTP_BASE + 1}`,
  REALTIME_URL: `http://127.0.0.1:${HTTP_BASE + 6}`,
};

await createDatabaseIfMissing(env.DATABASE_URL);
console.log('Applying migrations...');
execSync('node dist/libs/database/src/migrate.cli.js', {
  stdio: 'inherit',
  env: { ...env, LOG_LEVEL: 'warn' },
});
env.VECTOR_DB = 'pgvector';
env.PGVECTOR_DB_URL = await startVectorStoreIfNeeded(env);

for (const service of SERVICES) {
  const entry = { service, child: undefined, delay: RESTART_MIN_MS, timer: undefined };
  children.push(entry);
  startChild(entry);
}

/** Starts one service as its own process group; it also exits when this script's IPC channel closes. */
function startChild(entry) {
  const { service } = entry;
  const child = spawn(
    process.execPath,
    [
      '--require',
      './tools/dev/exit-with-parent.cjs',
      ...(service.args ?? [`dist/services/${service.name}/src/main.js`]),
    ],
    {
      env: service.env ?? {
        ...env,
        HTTP_PORT: String(service.http),
        PORT: String(service.http),
        ...(service.grpc ? { GRPC_PORT: String(service.grpc) } : {}),
        ...(service.grpcApi ? { GRPC_API_PORT: String(service.grpcApi) } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    },
  );
  entry.child = child;
  entry.startedAt = Date.now();
  prefixLines(child.stdout, service.name);
  prefixLines(child.stderr, service.name);
  child.on('error', (error) => console.error(`[${service.name}] could not start: ${error.message}`));
  child.on('exit', (code, signal) => {
    writePidFile();
    if (stopping) return;
    if (Date.now() - entry.startedAt > RESTART_RESET_AFTER_MS) entry.delay = RESTART_MIN_MS;
    const delay = entry.delay;
    entry.delay = Math.min(entry.delay * 2, RESTART_MAX_MS);
    console.error(
      `\n${service.name} stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); see its lines above. Restarting it in ${(delay / 1000).toFixed(1)} s.`,
    );
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (stopping) return;
      console.log(`Restarting ${service.name}...`);
      startChild(entry);
      void announceWhenReady(entry, child);
    }, delay);
  });
  writePidFile();
}

async function announceWhenReady(entry) {
  const child = entry.child;
  while (!stopping && entry.child === child && child.exitCode === null && child.signalCode === null) {
    if (await isReady(entry.service)) {
      console.log(`${entry.service.name} is ready again.`);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function alive(child) {
  return child && child.exitCode === null && child.signalCode === null;
}

function writePidFile() {
  try {
    mkdirSync('.cache', { recursive: true });
    const lines = children
      .filter(({ child }) => alive(child))
      .map(({ service, child }) => `${service.name} ${child.pid}\n`);
    writeFileSync(PID_FILE, `supervisor ${process.pid}\n${lines.join('')}`);
  } catch {
    // the pid file is a help for checks, never a reason to stop
  }
}

/** Stops every child: SIGTERM (each drains), SIGKILL after STOP_GRACE_MS, waits for all, then exits. */
async function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping (each service drains its in-flight work)...');
  // The services drain against the vector store, so it stops after them.
  const last = children.filter((entry) => entry.service.stopLast);
  await stopEntries(children.filter((entry) => !entry.service.stopLast));
  await stopEntries(last);
  rmSync(PID_FILE, { force: true });
  console.log('Stopped.');
  process.exit(exitCode);
}

function stopEntries(entries) {
  return Promise.all(
    entries.map(
      (entry) =>
        new Promise((resolve) => {
          clearTimeout(entry.timer);
          const { child } = entry;
          if (!alive(child)) return resolve();
          const kill = setTimeout(() => {
            console.error(`${entry.service.name} did not stop within ${STOP_GRACE_MS} ms; killing it.`);
            signalGroup(child, 'SIGKILL');
          }, STOP_GRACE_MS);
          child.once('exit', () => {
            clearTimeout(kill);
            // anything the service itself started goes with it
            signalGroup(child, 'SIGKILL');
            resolve();
          });
          signalGroup(child, 'SIGTERM');
        }),
    ),
  );
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

await waitUntilReady();
console.log(
  `\n  Parley is running: open http://127.0.0.1:${PORT}\n  The gRPC API (parley.api.v1, docs/grpc-api.md): 127.0.0.1:${GRPC_API_PORT}\n  (Ctrl-C stops every service.)\n`,
);

function localSecret(name) {
  // A stable secret for this checkout, so sign-ins survive restarts; production sets WEBUI_SECRET_KEY
  // and CALLER_ASSERTION_SECRET.
  const file = `.cache/${name}`;
  if (!existsSync(file)) {
    mkdirSync('.cache', { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

async function createDatabaseIfMissing(databaseUrl) {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!rowCount) {
    console.log(`Creating database ${name}...`);
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  }
  await client.end();
}

async function isReady(service) {
  if (service.ready) return service.ready();
  try {
    return (await fetch(`http://127.0.0.1:${service.http}/health/ready`)).status === 200;
  } catch {
    return false; // not listening yet
  }
}

async function waitUntilReady() {
  const deadline = Date.now() + 60000;
  for (const { service } of children) {
    for (;;) {
      if (await isReady(service)) break;
      if (Date.now() > deadline) {
        await fail(`${service.name} did not become ready within 60 s; see its lines above.`);
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * The URL of retrieval's vector store (PGVECTOR_DB_URL): the one set, or DATABASE_URL when its PostgreSQL
 * offers pgvector, or else a PGlite with pgvector on VECTOR_STORE_PORT, persisted in VECTOR_STORE_DIR.
 */
async function startVectorStoreIfNeeded(env) {
  if (process.env.PGVECTOR_DB_URL) {
    console.log('Vector store: PGVECTOR_DB_URL as set.');
    return process.env.PGVECTOR_DB_URL;
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  const { rowCount } = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
  await client.end();
  if (rowCount) {
    console.log('Vector store: the PostgreSQL at DATABASE_URL has pgvector; retrieval uses it.');
    return env.DATABASE_URL;
  }
  const url = `postgresql://postgres@127.0.0.1:${VECTOR_STORE_PORT}/postgres`;
  console.log(
    `Vector store: the PostgreSQL at DATABASE_URL has no pgvector, so PGlite with pgvector serves it on 127.0.0.1:${VECTOR_STORE_PORT} (data in ${VECTOR_STORE_DIR}); set PGVECTOR_DB_URL to use another.`,
  );
  mkdirSync(VECTOR_STORE_DIR, { recursive: true });
  const entry = {
    service: {
      name: 'vector-store',
      // The tests' own PGlite server (libs/testing), built above: it keeps each query of a connection whole.
      args: ['dist/libs/testing/src/vector-store.cli.js', String(VECTOR_STORE_PORT), VECTOR_STORE_DIR],
      env: { PATH: process.env.PATH ?? '' },
      stopLast: true,
      ready: () => answersSql(pg, url),
    },
    child: undefined,
    delay: RESTART_MIN_MS,
    timer: undefined,
  };
  children.push(entry);
  startChild(entry);
  const deadline = Date.now() + 60000;
  // A first run creates the database in VECTOR_STORE_DIR, which takes a few seconds; a crash restarts it.
  while (!(await answersSql(pg, url))) {
    if (Date.now() > deadline)
      return fail('The vector store (PGlite) did not answer within 60 s; see its lines above.');
    await new Promise((r) => setTimeout(r, 200));
  }
  return url;
}

async function answersSql(pg, url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Turns each JSON log line into `[service] level msg` for a readable terminal. */
function prefixLines(stream, name) {
  const label = `[${name}]`.padEnd(16);
  createInterface({ input: stream }).on('line', (line) => {
    // PGlite's server announces every connection, each readiness check and pool connection included
    if (name === 'vector-store' && line.startsWith('Client connected from')) return;
    try {
      const {
        level,
        msg,
        time: _time,
        service: _service,
        pid: _pid,
        context: _context,
        ...rest
      } = JSON.parse(line);
      if (
        level === 'info' &&
        (msg === 'grpc call' || _context === 'RouterExplorer' || _context === 'InstanceLoader')
      )
        return;
      const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
      console.log(`${label} ${level.padEnd(5)} ${msg ?? ''}${extra}`);
    } catch {
      console.log(`${label} ${line}`);
    }
  });
}
