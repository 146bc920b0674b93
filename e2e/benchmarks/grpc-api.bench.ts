import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chats, createParleyClient, type ParleyClient } from '@parley/api-client';
import { repoRoot, Stack, startStack } from '@parley/testing';
import { apiKeyOf, signUp } from '../src/support/http';
import { startFakeLlmProcess } from './fake-llm-process';
import { cpuSeconds } from './process-stats';
import { fmt, percentile, streamSseOnce, timeTokens, type StreamResult } from './stream-timing';

/**
 * What the public gRPC API adds to streamed completions. In one run, for each concurrency level, the same
 * streamed completions go directly to the fake upstream (the baseline), through the gateway's public gRPC
 * API with @parley/api-client (CompletionService/StreamCompletion, an API key), and through REST's
 * /api/chat/completions (SSE) for comparison. Prints the added time to first token (p50, p99) and the
 * CPU time gateway and model-gateway spend per completion on each path.
 *
 *   npx nx run e2e:bench-grpc-api               (small: 20 tokens, 1 round; part of e2e:bench)
 *   GRPC_API_BENCH_FULL=1 npx nx run e2e:bench-grpc-api   (200 tokens, 3 rounds)
 *
 * The fake upstream is its own process; everything talks to 127.0.0.1; every loop is bounded.
 */
const FULL = process.env.GRPC_API_BENCH_FULL === '1';
const LEVELS = (process.env.GRPC_API_BENCH_LEVELS ?? '1,50,200').split(',').map(Number);
const TOKENS = FULL ? 200 : 20;
const ROUNDS = FULL ? 3 : 1;
const TOKEN_DELAY_MS = 10;
const FIRST_TOKEN_DELAY_MS = 20;
const MODEL = 'bench-model';

type Path = 'direct' | 'grpc-api' | 'rest';

interface PhaseResult {
  path: Path;
  concurrency: number;
  ttft: { p50: number; p99: number };
  completions: number;
  failures: number;
  /** What the first failed stream ended with, to say why. */
  firstFailure?: string;
  /** CPU seconds per completion of gateway and model-gateway (not for the direct path). */
  cpuMsPerCompletion?: { gateway: number; modelGateway: number };
}

describe('public gRPC API streaming benchmark', () => {
  let fake: { url: string; stop(): void };
  let stack: Stack;
  let token: string;
  let client: ParleyClient;

  beforeAll(async () => {
    fake = await startFakeLlmProcess({
      FAKE_LLM_MODELS: MODEL,
      FAKE_LLM_TOKENS: String(TOKENS),
      FAKE_LLM_TOKEN_DELAY_MS: String(TOKEN_DELAY_MS),
      FAKE_LLM_FIRST_TOKEN_DELAY_MS: String(FIRST_TOKEN_DELAY_MS),
    });
    stack = await startStack({
      copies: { auth: 1, 'model-gateway': 1, gateway: 1 },
      env: {
        OPENAI_API_BASE_URLS: `${fake.url}/v1`,
        OPENAI_API_KEYS: 'sk-bench',
        LOG_LEVEL: 'warn',
        MODELS_CACHE_TTL: '60',
        ENABLE_TITLE_GENERATION: 'false',
      },
    });
    const gateway = stack.gatewayUrls[0]!;
    const me = await signUp(gateway, 'Bench', `grpc-bench-${randomUUID()}@example.com`);
    token = me.token;
    client = createParleyClient({ url: stack.grpcApiTargets[0]!, apiKey: await apiKeyOf(gateway, me) });
  });

  afterAll(async () => {
    client?.close();
    await stack?.stop();
    fake?.stop();
  });

  it('measures what the gRPC API adds at 1, 50 and 200 concurrent streams', async () => {
    const pids = {
      gateway: stack.services.gateway![0]!.child.pid!,
      modelGateway: stack.services['model-gateway']![0]!.child.pid!,
    };
    const streams: Record<Path, () => Promise<StreamResult>> = {
      direct: () => streamSseOnce({ url: `${fake.url}/v1/chat/completions`, headers: {} }, MODEL),
      'grpc-api': () => streamGrpcOnce(client),
      rest: () =>
        streamSseOnce(
          {
            url: `${stack.gatewayUrls[0]}/api/chat/completions`,
            headers: { authorization: `Bearer ${token}` },
          },
          MODEL,
        ),
    };
    // Warm-up: connections, JIT, the model-list cache.
    for (const path of ['grpc-api', 'rest'] as const) await runPhase(path, streams[path], 5);
    const results: PhaseResult[] = [];
    for (const concurrency of LEVELS) {
      results.push(await runPhase('direct', streams.direct, concurrency));
      results.push(await runPhase('grpc-api', streams['grpc-api'], concurrency, pids));
      results.push(await runPhase('rest', streams.rest, concurrency, pids));
    }
    report(results);
    for (const result of results) expect(result).toMatchObject({ failures: 0 });
  });
});

/** One streamed completion through the public API, timed like the SSE ones. */
async function streamGrpcOnce(client: ParleyClient): Promise<StreamResult> {
  const started = performance.now();
  const stream = client.completions.streamCompletion(
    { model: MODEL, messages: [{ role: chats.Role.USER, content: 'Count.' }] },
    { deadlineMs: 120_000 },
  );
  let answerTokens = 0;
  const timed = await timeTokens(
    started,
    (async function* () {
      for await (const response of stream) {
        if (response.done) answerTokens = response.usage?.completionTokens ?? 0;
        yield { text: response.delta, at: performance.now() };
      }
    })(),
  );
  // Under load the model gateway sends several upstream tokens in one response (its delta coalescing):
  // the answer's token count is the usage of its last response, not the number of responses.
  return { ...timed, tokens: answerTokens };
}

async function runPhase(
  path: Path,
  stream: () => Promise<StreamResult>,
  concurrency: number,
  pids?: { gateway: number; modelGateway: number },
): Promise<PhaseResult> {
  const before = pids && { gateway: cpuSeconds(pids.gateway), modelGateway: cpuSeconds(pids.modelGateway) };
  const results: StreamResult[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const settled = await Promise.allSettled(Array.from({ length: concurrency }, () => stream()));
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled' && outcome.value.tokens === TOKENS) results.push(outcome.value);
      else {
        failures++;
        firstFailure ??=
          outcome.status === 'rejected'
            ? String((outcome.reason as Error)?.message ?? outcome.reason).slice(0, 300)
            : `${outcome.value.tokens} of ${TOKENS} tokens`;
      }
    }
  }
  const completions = results.length + failures;
  const ttfts = results.map((r) => r.ttftMs);
  return {
    path,
    concurrency,
    ttft: { p50: percentile(ttfts, 50), p99: percentile(ttfts, 99) },
    completions,
    failures,
    ...(firstFailure ? { firstFailure } : {}),
    ...(pids && before
      ? {
          cpuMsPerCompletion: {
            gateway: ((cpuSeconds(pids.gateway) - before.gateway) * 1000) / completions,
            modelGateway: ((cpuSeconds(pids.modelGateway) - before.modelGateway) * 1000) / completions,
          },
        }
      : {}),
  };
}

function report(results: PhaseResult[]): void {
  const lines = [
    `gRPC API benchmark: ${TOKENS} tokens per answer, upstream first token ${FIRST_TOKEN_DELAY_MS} ms, then one every ${TOKEN_DELAY_MS} ms, ${ROUNDS} round(s)${FULL ? ' (full run)' : ''}`,
    'conc | path     | TTFT p50/p99 ms | added TTFT p50/p99 ms | CPU ms per completion gw/mg',
  ];
  for (const row of results) {
    const base = results.find((r) => r.path === 'direct' && r.concurrency === row.concurrency)!;
    const added =
      row === base ? '-' : `${fmt(row.ttft.p50 - base.ttft.p50)}/${fmt(row.ttft.p99 - base.ttft.p99)}`;
    const cpu = row.cpuMsPerCompletion
      ? `${fmt(row.cpuMsPerCompletion.gateway)}/${fmt(row.cpuMsPerCompletion.modelGateway)}`
      : '-';
    lines.push(
      `${String(row.concurrency).padStart(4)} | ${row.path.padEnd(8)} | ${fmt(row.ttft.p50)}/${fmt(row.ttft.p99)} | ${added} | ${cpu}`,
    );
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
  const outDir = join(repoRoot(), 'e2e', 'output');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'grpc-api-bench.json'),
    JSON.stringify({ tokens: TOKENS, rounds: ROUNDS, results }, null, 2),
  );
}
