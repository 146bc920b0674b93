import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { tcpAnswers } from './test-infrastructure';

export interface RedisWithSentinel {
  masterPort: number;
  sentinelPort: number;
  masterName: string;
  stop(): Promise<void>;
}

export interface PrivateRedis {
  port: number;
  url: string;
  stop(): Promise<void>;
}

function stopChildren(children: ChildProcess[]): Promise<unknown> {
  for (const child of children) child.kill('SIGTERM');
  return Promise.all(
    children.map(
      (c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once('exit', resolve))),
    ),
  );
}

async function untilListening(port: number): Promise<void> {
  for (let i = 0; i < 100 && !(await tcpAnswers('127.0.0.1', port)); i++)
    await new Promise((r) => setTimeout(r, 50));
}

function spawnRedis(port: number): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
}

/** A Redis of its own on a free 127.0.0.1 port (another region's, in multi-region tests). */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child = spawnRedis(port);
  await untilListening(port);
  return { port, url: `redis://127.0.0.1:${port}`, stop: () => stopChildren([child]).then(() => undefined) };
}

/**
 * A private Redis and a Sentinel watching it (redis-server in sentinel mode), on free 127.0.0.1
 * ports: the machine's shared Redis is never touched.
 */
export async function startRedisWithSentinel(): Promise<RedisWithSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-sentinel-'));
  const masterPort = await freePort();
  const sentinelPort = await freePort();
  const masterName = 'parleymaster';
  const master = spawnRedis(masterPort);
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1`,
      '',
    ].join('\n'),
  );
  const sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  const children: ChildProcess[] = [master, sentinel];
  for (const port of [masterPort, sentinelPort]) await untilListening(port);
  return {
    masterPort,
    sentinelPort,
    masterName,
    async stop() {
      await stopChildren(children);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
