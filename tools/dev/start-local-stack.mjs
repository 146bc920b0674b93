// `npm start`: installs what is missing, builds, applies migrations and starts all seven services as
// separate processes on the loopback PostgreSQL, Redis and NATS; the web app is served by the gateway.
// Ctrl-C stops every process cleanly (each drains in-flight work first).
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { checkDependencies, DEFAULT_URLS, describeMissing, tcpAnswers } from './infrastructure.mjs';
import { ensureDependencies } from './install-dependencies.mjs';

process.env.NX_DAEMON = 'false';
process.env.NX_NO_CLOUD = 'true';
process.env.NX_TUI = 'false';

const PORT = Number(process.env.PORT ?? 8080);
const SERVICES = [
  { name: 'auth', http: 8081, grpc: 50051 },
  { name: 'chat', http: 8082, grpc: 50052 },
  { name: 'model-gateway', http: 8083, grpc: 50053 },
  { name: 'retrieval', http: 8084, grpc: 50054 },
  { name: 'files', http: 8085, grpc: 50055 },
  { name: 'realtime', http: 8086 },
  { name: 'gateway', http: PORT },
];

function fail(message) {
  console.error(`\n${message}`);
  process.exit(1);
}

ensureDependencies();

const missing = await checkDependencies();
if (missing.length)
  fail(
    `Parley needs these services, and they do not answer:\n${describeMissing(missing)}\nThen run npm start again.`,
  );

for (const service of SERVICES) {
  for (const port of [service.http, service.grpc].filter(Boolean)) {
    if (await tcpAnswers('127.0.0.1', port))
      fail(
        `Port ${port} (${service.name}) is already in use; stop what uses it (an earlier npm start?) and try again.`,
      );
  }
}

console.log('Building (cached after the first run)...');
execSync('npx nx run-many -t build --parallel=2 --outputStyle=static', { stdio: 'inherit' });

const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? DEFAULT_URLS.DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL ?? DEFAULT_URLS.REDIS_URL,
  NATS_URL: process.env.NATS_URL ?? DEFAULT_URLS.NATS_URL,
  WEBUI_SECRET_KEY: process.env.WEBUI_SECRET_KEY ?? localSecret(),
  AUTH_GRPC_URL: '127.0.0.1:50051',
  CHAT_GRPC_URL: '127.0.0.1:50052',
  MODEL_GATEWAY_GRPC_URL: '127.0.0.1:50053',
  RETRIEVAL_GRPC_URL: '127.0.0.1:50054',
  FILES_GRPC_URL: '127.0.0.1:50055',
  REALTIME_URL: 'http://127.0.0.1:8086',
};

await createDatabaseIfMissing(env.DATABASE_URL);
console.log('Applying migrations...');
execSync('node dist/libs/database/src/migrate.cli.js', {
  stdio: 'inherit',
  env: { ...env, LOG_LEVEL: 'warn' },
});

const children = [];
for (const service of SERVICES) {
  const child = spawn(process.execPath, [`dist/services/${service.name}/src/main.js`], {
    env: {
      ...env,
      HTTP_PORT: String(service.http),
      PORT: String(service.http),
      ...(service.grpc ? { GRPC_PORT: String(service.grpc) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push({ service, child });
  prefixLines(child.stdout, service.name);
  prefixLines(child.stderr, service.name);
  child.on('exit', (code, signal) => {
    if (!stopping)
      fail(
        `${service.name} stopped unexpectedly (${code ?? signal}); see its lines above. Stopping the rest.`,
      );
  });
}

let stopping = false;
async function stopAll() {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping (each service drains its in-flight work)...');
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  console.log('Stopped.');
  process.exit(0);
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

await waitUntilReady();
console.log(`\n  Parley is running: open http://127.0.0.1:${PORT}\n  (Ctrl-C stops every service.)\n`);

function localSecret() {
  // A stable secret for this checkout, so sign-ins survive restarts; production sets WEBUI_SECRET_KEY.
  const file = '.cache/local-webui-secret-key';
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
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!rowCount) {
    console.log(`Creating database ${name}...`);
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  }
  await client.end();
}

async function waitUntilReady() {
  const deadline = Date.now() + 60000;
  for (const { service } of children) {
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${service.http}/health/ready`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        fail(`${service.name} did not become ready within 60 s; see its lines above.`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Turns each JSON log line into `[service] level msg` for a readable terminal. */
function prefixLines(stream, name) {
  const label = `[${name}]`.padEnd(16);
  createInterface({ input: stream }).on('line', (line) => {
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
