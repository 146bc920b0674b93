import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, Stack } from '@parley/testing';

export interface Finding {
  route: string;
  input: string;
  outcome: string;
}

/** The seed of this run: FUZZ_SEED to reproduce one, printed either way. */
export function fuzzSeed(suite: string): number {
  const fromEnv = Number(process.env.FUZZ_SEED);
  const seed = Number.isInteger(fromEnv) && process.env.FUZZ_SEED ? fromEnv : Date.now() % 2 ** 31;
  process.stdout.write(`${suite}: fast-check seed ${seed} (rerun with FUZZ_SEED=${seed})\n`);
  return seed;
}

export function clip(text: string, max = 300): string {
  const printable = JSON.stringify(text);
  return printable.length > max ? `${printable.slice(0, max)}… (${text.length} chars)` : printable;
}

/** Writes the findings next to the service logs, so a failing run can be read in full. */
export function saveFindings(suite: string, seed: number, findings: Finding[]): string {
  const dir = join(repoRoot(), 'e2e', 'output');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${suite}-findings.json`);
  writeFileSync(file, JSON.stringify({ seed, count: findings.length, findings }, null, 2));
  return file;
}

/** Every copy of every service in the stack still runs and answers ready. */
export async function everyCopyReady(
  stack: Stack,
): Promise<Array<{ name: string; alive: boolean; ready: number }>> {
  const copies = Object.values(stack.services).flat();
  return Promise.all(
    copies.map(async (proc) => {
      const alive = proc!.child.exitCode === null && proc!.child.signalCode === null;
      const ready = await fetch(`${proc!.httpUrl}/health/ready`)
        .then((res) => res.status)
        .catch(() => 0);
      return { name: proc!.name, alive, ready };
    }),
  );
}

/**
 * The end of every fuzz suite: its findings saved for reading, every copy still alive and ready, and
 * nothing found (the first 30 findings shown when there are some).
 */
export async function expectCleanRun(
  suite: string,
  seed: number,
  findings: Finding[],
  stack: Stack,
): Promise<void> {
  const file = saveFindings(suite, seed, findings);
  const states = await everyCopyReady(stack);
  expect(states).toEqual(states.map((s) => ({ name: s.name, alive: true, ready: 200 })));
  expect({ seed, file, findings: findings.slice(0, 30), count: findings.length }).toEqual({
    seed,
    file,
    findings: [],
    count: 0,
  });
}
