import { startFakeLlm } from './fake-llm';

/**
 * Runs the fake LLM upstream as its own process, for `npm start` users and benchmarks:
 *   node dist/libs/testing/src/fake-llm/fake-llm.cli.js [port]
 * FAKE_LLM_PORT, FAKE_LLM_MODELS (comma-separated), FAKE_LLM_TOKENS (count of tokens to answer with),
 * FAKE_LLM_TOKEN_DELAY_MS, FAKE_LLM_FIRST_TOKEN_DELAY_MS and FAKE_LLM_EMBEDDING_MODELS (comma-separated; a
 * name ending in -<digits> embeds in that many dimensions) set it up; POST /__fake/settings changes it
 * while it runs and GET /__fake/stats reads its counters. It listens on 127.0.0.1 only.
 */
async function main(): Promise<void> {
  const env = process.env;
  const port = Number(process.argv[2] ?? env.FAKE_LLM_PORT ?? 11434);
  const tokenCount = Number(env.FAKE_LLM_TOKENS ?? 0);
  const fake = await startFakeLlm(
    {
      ...(env.FAKE_LLM_MODELS ? { models: list(env.FAKE_LLM_MODELS) } : {}),
      ...(env.FAKE_LLM_EMBEDDING_MODELS ? { embeddingModels: list(env.FAKE_LLM_EMBEDDING_MODELS) } : {}),
      ...(tokenCount > 0 ? { tokens: Array.from({ length: tokenCount }, (_, i) => ` t${i}`) } : {}),
      tokenDelayMs: Number(env.FAKE_LLM_TOKEN_DELAY_MS ?? 20),
      firstTokenDelayMs: Number(env.FAKE_LLM_FIRST_TOKEN_DELAY_MS ?? 50),
    },
    { port: Number.isFinite(port) ? port : 11434 },
  );
  process.stdout.write(
    `fake LLM listening: OpenAI base URL ${fake.openaiBaseUrl}, Ollama base URL ${fake.url}, models ${fake.settings.models.join(', ')}, embedding models ${fake.settings.embeddingModels.join(', ')}\n`,
  );
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

void main().catch((error: unknown) => {
  process.stderr.write(`fake LLM failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
