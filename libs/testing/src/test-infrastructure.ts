import { execSync } from 'node:child_process';
import { createConnection } from 'node:net';

/**
 * Where tests find PostgreSQL, Redis and NATS. One helper for both paths:
 * - DATABASE_URL / REDIS_URL / NATS_URL, or the loopback services these machines run; a loopback
 *   service that does not answer is started with the command the machine uses at boot;
 * - with PARLEY_TEST_CONTAINERS=1 and a Docker engine answering, throwaway containers instead.
 */
export interface TestInfrastructure {
  databaseUrl: string;
  redisUrl: string;
  natsUrl: string;
}

const DEFAULTS = {
  databaseUrl: 'postgresql://postgres@127.0.0.1:5432/postgres',
  redisUrl: 'redis://127.0.0.1:6379',
  natsUrl: 'nats://127.0.0.1:4222',
};

/** The commands that start the loopback services on these machines (ENVIRONMENT.md). */
export const START_COMMANDS = {
  postgres: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  nats: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
} as const;

let cached: Promise<TestInfrastructure> | undefined;

export function testInfrastructure(): Promise<TestInfrastructure> {
  cached ??= resolveInfrastructure();
  return cached;
}

async function resolveInfrastructure(): Promise<TestInfrastructure> {
  if (process.env.PARLEY_TEST_CONTAINERS === '1' && dockerAnswers()) return startContainers();
  const infra = {
    databaseUrl: process.env.DATABASE_URL ?? DEFAULTS.databaseUrl,
    redisUrl: process.env.REDIS_URL ?? DEFAULTS.redisUrl,
    natsUrl: process.env.NATS_URL ?? DEFAULTS.natsUrl,
  };
  await ensureAnswering('postgres', infra.databaseUrl, 5432);
  await ensureAnswering('redis', infra.redisUrl, 6379);
  await ensureAnswering('nats', infra.natsUrl, 4222);
  return infra;
}

export function tcpAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function ensureAnswering(
  name: keyof typeof START_COMMANDS,
  url: string,
  defaultPort: number,
): Promise<void> {
  const { hostname, port } = new URL(url);
  const target = { host: hostname || '127.0.0.1', port: Number(port || defaultPort) };
  if (await tcpAnswers(target.host, target.port)) return;
  const isLoopback = ['127.0.0.1', 'localhost', '::1'].includes(target.host);
  if (!isLoopback) throw new Error(`${name} at ${target.host}:${target.port} does not answer.`);
  try {
    execSync(START_COMMANDS[name], { stdio: 'ignore', shell: '/bin/bash', timeout: 30_000 });
  } catch {
    // fall through to the check below, which says what to do
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await tcpAnswers(target.host, target.port)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `${name} at ${target.host}:${target.port} does not answer; start it with: ${START_COMMANDS[name]}`,
  );
}

function dockerAnswers(): boolean {
  try {
    execSync('docker info', { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<TestInfrastructure> {
  // Loaded only here: the package talks to a Docker engine, which most of our machines lack.
  const { GenericContainer, Wait } = await import('testcontainers');
  const [postgres, redis, nats] = await Promise.all([
    new GenericContainer('pgvector/pgvector:pg16')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
      .start(),
    new GenericContainer('redis:7-alpine').withExposedPorts(6379).start(),
    new GenericContainer('nats:2-alpine').withCommand(['-js']).withExposedPorts(4222).start(),
  ]);
  return {
    databaseUrl: `postgresql://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
  };
}
