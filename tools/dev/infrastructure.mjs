// Checks that PostgreSQL, Redis and NATS answer, for the two README commands.
import { execSync } from 'node:child_process';
import { createConnection } from 'node:net';

export const DEFAULT_URLS = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/parley',
  REDIS_URL: 'redis://127.0.0.1:6379',
  NATS_URL: 'nats://127.0.0.1:4222',
};

export const DEPENDENCIES = [
  {
    name: 'PostgreSQL',
    env: 'DATABASE_URL',
    port: 5432,
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  {
    name: 'Redis',
    env: 'REDIS_URL',
    port: 6379,
    start:
      'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  },
  {
    name: 'NATS',
    env: 'NATS_URL',
    port: 4222,
    start:
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
  },
];

export function tcpAnswers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function target(dep) {
  const url = new URL(process.env[dep.env] ?? DEFAULT_URLS[dep.env]);
  return { host: url.hostname || '127.0.0.1', port: Number(url.port || dep.port) };
}

/** Returns the dependencies that do not answer. With `start`, tries the machine's start command first. */
export async function checkDependencies({ start = false } = {}) {
  const missing = [];
  for (const dep of DEPENDENCIES) {
    const { host, port } = target(dep);
    if (await tcpAnswers(host, port)) continue;
    if (start && ['127.0.0.1', 'localhost', '::1'].includes(host)) {
      try {
        execSync(dep.start, { stdio: 'ignore', shell: '/bin/bash', timeout: 30000 });
      } catch {
        // reported below if it still does not answer
      }
      let up = false;
      for (let i = 0; i < 50 && !up; i++) {
        up = await tcpAnswers(host, port);
        if (!up) await new Promise((r) => setTimeout(r, 200));
      }
      if (up) continue;
    }
    missing.push({ ...dep, host, port });
  }
  return missing;
}

export function describeMissing(missing) {
  return missing
    .map(
      (dep) =>
        `  - ${dep.name} does not answer at ${dep.host}:${dep.port} (${dep.env}). Start it with:\n      ${dep.start}`,
    )
    .join('\n');
}
