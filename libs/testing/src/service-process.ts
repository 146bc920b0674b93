import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root';

export type ServiceName = 'gateway' | 'auth' | 'chat' | 'model-gateway' | 'retrieval' | 'files' | 'realtime';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  httpUrl: string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  logFile: string;
  logs(): string;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

let counter = 0;

/**
 * Starts a built service (dist/services/<name>/src/main.js) as its own process, as production does,
 * and waits until its readiness probe answers 200. Output goes to e2e/output/logs/.
 */
export async function startServiceProcess(
  service: ServiceName,
  options: {
    env: Record<string, string>;
    httpPort: number;
    label?: string;
    readyTimeoutMs?: number;
    waitFor?: 'ready' | 'live';
    /** Extra arguments for node itself, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/profiles']. */
    nodeArgs?: string[];
    /** Working directory (default: the repository root); a service reads `.env` from it. */
    cwd?: string;
  },
): Promise<ServiceProcess> {
  const root = repoRoot();
  const entry = join(root, 'dist', 'services', service, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing; build first (npm run build).`);
  const logDir = join(root, 'e2e', 'output', 'logs');
  mkdirSync(logDir, { recursive: true });
  const label = options.label ?? `${service}-${++counter}`;
  const logFile = join(logDir, `${label}-${process.pid}-${++counter}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    cwd: options.cwd ?? root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const httpUrl = `http://127.0.0.1:${options.httpPort}`;
  const proc: ServiceProcess = {
    name: label,
    child,
    httpUrl,
    exited,
    logFile,
    logs: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
  await waitForProbe(proc, options.waitFor ?? 'ready', options.readyTimeoutMs ?? 30_000);
  return proc;
}

async function waitForProbe(proc: ServiceProcess, probe: 'ready' | 'live', timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedEarly: number | string | undefined;
  void proc.exited.then((code) => (exitedEarly = code));
  while (Date.now() < deadline) {
    if (exitedEarly !== undefined)
      throw new Error(
        `${proc.name} exited (${exitedEarly}) before it was ready:\n${proc.logs().slice(-3000)}`,
      );
    try {
      const res = await fetch(`${proc.httpUrl}/health/${probe}`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await proc.stop('SIGKILL');
  throw new Error(`${proc.name} was not ready within ${timeoutMs} ms:\n${proc.logs().slice(-3000)}`);
}
