import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, Stack, startStack } from '@parley/testing';
import { startFakeLlmProcess } from './fake-llm-process';
import { fmt, percentile, streamSseOnce, type StreamResult } from './stream-timing';
import { cpuSeconds, rssMb } from './process-stats';

/**
 * What gateway + model-gateway add to streamed completions. In one run, for each concurrency level,
 * the same streamed completions go directly to the fake upstream (the baseline) and through the
 * gateway (HTTP → gRPC → model-gateway → HTTP upstream). Prints added time to first token and
 * inter-token latency (p50, p99), tokens per second, and the CPU time and peak memory of the gateway
 * and model-gateway processes, with ratios against the baseline.
 *
 *   npx nx run e2e:bench-completions   (builds what it starts first)
 *   COMPLETIONS_BENCH_FULL=1 ... for the full run (more tokens, more rounds).
 *
 * The fake upstream runs as its own process (the fake-llm CLI) so it does not share the event loop
 * with the load generator. Everything talks to 127.0.0.1 only; every loop is bounded.
 */
const FULL = process.env.COMPLETIONS_BENCH_FULL === '1';
const LEVELS = (process.env.COMPLETIONS_BENCH_LEVELS ?? '1,50,200').split(',').map(Number);
const TOKENS = FULL ? 200 : 20;
const ROUNDS = Number(process.env.COMPLETIONS_BENCH_ROUNDS ?? (FULL ? 3 : 1));
const TOKEN_DELAY_MS = 10;
const FIRST_TOKEN_DELAY_MS = 20;

interface PhaseResult {
  label: string;
  concurrency: number;
  ttft: { p50: number; p99: number };
  itl: { p50: number; p99: number };
  /** Last token → end of stream. */
  tail: { p50: number; p99: number };
  tokensPerSecond: number;
  failures: number;
  cpu?: Record<string, number>;
  peakRssMb?: Record<string, number>;
}

describe('completions benchmark', () => {
  let fake: { url: string; stop(): void };
  let fakeUrl: string;
  let stack: Stack;
  let token: string;

  beforeAll(async () => {
    fake = await startFakeLlmProcess({
      FAKE_LLM_MODELS: 'bench-model',
      FAKE_LLM_TOKENS: String(TOKENS),
      FAKE_LLM_TOKEN_DELAY_MS: String(TOKEN_DELAY_MS),
      FAKE_LLM_FIRST_TOKEN_DELAY_MS: String(FIRST_TOKEN_DELAY_MS),
    });
    fakeUrl = fake.url;
    stack = await startStack({
      copies: { auth: 1, 'model-gateway': 1, gateway: 1 },
      env: {
        OPENAI_API_BASE_URLS: `${fakeUrl}/v1`,
        OPENAI_API_KEYS: 'sk-bench',
        LOG_LEVEL: 'warn',
        MODELS_CACHE_TTL: '60',
      },
      // e.g. '--cpu-prof --cpu-prof-dir=/tmp/profiles' to see where the services spend their time.
      nodeArgs: (process.env.COMPLETIONS_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    });
    const res = await fetch(`${stack.gatewayUrls[0]}/api/v1/auths/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Bench',
        email: `bench-${randomUUID()}@example.com`,
        password: 'correct horse battery',
      }),
    });
    token = ((await res.json()) as { token: string }).token;
  });

  afterAll(async () => {
    await stack?.stop();
    fake?.stop();
  });

  it('measures what the gateway path adds at 1, 50 and 200 concurrent streams', async () => {
    const gateway = stack.services.gateway![0]!.child.pid!;
    const modelGateway = stack.services['model-gateway']![0]!.child.pid!;
    const direct = { url: `${fakeUrl}/v1/chat/completions`, headers: {} as Record<string, string> };
    const viaGateway = {
      url: `${stack.gatewayUrls[0]}/api/chat/completions`,
      headers: { authorization: `Bearer ${token}` },
    };
    // Warm-up: connections, JIT, the model-list cache.
    await runPhase('warm-up', viaGateway, 5, {});
    const results: PhaseResult[] = [];
    for (const concurrency of LEVELS) {
      results.push(await runPhase('direct', direct, concurrency, {}));
      results.push(
        await runPhase('gateway', viaGateway, concurrency, { gateway, 'model-gateway': modelGateway }),
      );
    }
    report(results);
    for (const result of results) expect(result.failures).toBe(0);
  });
});

async function runPhase(
  label: string,
  target: { url: string; headers: Record<string, string> },
  concurrency: number,
  pids: Record<string, number>,
): Promise<PhaseResult> {
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const peak: Record<string, number> = {};
  const sampler = setInterval(() => {
    for (const [name, pid] of Object.entries(pids)) peak[name] = Math.max(peak[name] ?? 0, rssMb(pid));
  }, 25);
  const started = performance.now();
  const results: StreamResult[] = [];
  let failures = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const settled = await Promise.allSettled(
      Array.from({ length: concurrency }, () => streamSseOnce(target, 'bench-model')),
    );
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled' && outcome.value.tokens === TOKENS) results.push(outcome.value);
      else failures++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const cpu = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid) - cpuBefore[name]!]),
  );
  const ttfts = results.map((r) => r.ttftMs);
  const gaps = results.flatMap((r) => r.gapsMs);
  const tails = results.map((r) => r.tailMs);
  return {
    label,
    concurrency,
    ttft: { p50: percentile(ttfts, 50), p99: percentile(ttfts, 99) },
    itl: { p50: percentile(gaps, 50), p99: percentile(gaps, 99) },
    tail: { p50: percentile(tails, 50), p99: percentile(tails, 99) },
    tokensPerSecond: results.reduce((sum, r) => sum + r.tokens, 0) / seconds,
    failures,
    ...(Object.keys(pids).length ? { cpu, peakRssMb: peak } : {}),
  };
}

function report(results: PhaseResult[]): void {
  const lines: string[] = [
    `completions benchmark: ${TOKENS} tokens per answer, upstream first token ${FIRST_TOKEN_DELAY_MS} ms, then one every ${TOKEN_DELAY_MS} ms, ${ROUNDS} round(s)${FULL ? ' (full run)' : ''}`,
    'conc | path    | TTFT p50/p99 ms | ITL p50/p99 ms | tokens/s | added TTFT p50/p99 | added ITL p50/p99 | tok/s ratio | CPU s gw/mg | peak RSS MB gw/mg',
  ];
  for (const result of results.filter((r) => r.label === 'gateway')) {
    const base = results.find((r) => r.label === 'direct' && r.concurrency === result.concurrency)!;
    for (const row of [base, result]) {
      const added =
        row === result
          ? `${fmt(row.ttft.p50 - base.ttft.p50)}/${fmt(row.ttft.p99 - base.ttft.p99)} | ${fmt(row.itl.p50 - base.itl.p50)}/${fmt(row.itl.p99 - base.itl.p99)} | ${(row.tokensPerSecond / base.tokensPerSecond).toFixed(2)} | ${fmt(row.cpu?.gateway ?? 0)}/${fmt(row.cpu?.['model-gateway'] ?? 0)} | ${fmt(row.peakRssMb?.gateway ?? 0)}/${fmt(row.peakRssMb?.['model-gateway'] ?? 0)}`
          : '- | - | 1.00 | - | -';
      lines.push(
        `${String(row.concurrency).padStart(4)} | ${row.label.padEnd(7)} | ${fmt(row.ttft.p50)}/${fmt(row.ttft.p99)} | ${fmt(row.itl.p50)}/${fmt(row.itl.p99)} | ${Math.round(row.tokensPerSecond)} | ${added}`,
      );
    }
  }
  lines.push('', 'last token → end of stream, p50/p99 ms (nothing the server awaits after the last token)');
  lines.push('conc | direct    | gateway   | added p99');
  for (const result of results.filter((r) => r.label === 'gateway')) {
    const base = results.find((r) => r.label === 'direct' && r.concurrency === result.concurrency)!;
    lines.push(
      `${String(result.concurrency).padStart(4)} | ${`${fmt(base.tail.p50)}/${fmt(base.tail.p99)}`.padEnd(9)} | ${`${fmt(result.tail.p50)}/${fmt(result.tail.p99)}`.padEnd(9)} | ${fmt(result.tail.p99 - base.tail.p99)}`,
    );
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
  const outDir = join(repoRoot(), 'e2e', 'output');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'completions-bench.json'),
    JSON.stringify({ tokens: TOKENS, rounds: ROUNDS, results }, null, 2),
  );
}
