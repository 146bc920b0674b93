import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, repoRoot } from '@parley/testing';

/**
 * The fake upstream (libs/testing/src/fake-llm) as its own process, so it does not share the event loop
 * with the load generator: `env` is the CLI's FAKE_LLM_* settings. Resolves once it answers.
 */
export async function startFakeLlmProcess(
  env: Record<string, string>,
): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [join(repoRoot(), 'dist/libs/testing/src/fake-llm/fake-llm.cli.js'), String(port)],
    { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' },
  );
  const stop = () => void child.kill('SIGTERM');
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`${url}/__fake/stats`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new Error(`the fake LLM did not answer on ${url} within 10 s`);
}
