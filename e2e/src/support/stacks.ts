import { FakeLlm, Stack, startFakeLlm, startStack } from '@parley/testing';

/**
 * auth, chat, files, model-gateway and gateway (`gateways` copies) over a fake upstream that speaks both the
 * OpenAI and the Ollama protocol; new users are plain users. `env` adds or overrides variables; with
 * `retrieval`, a retrieval copy too (keyword-only: no embedding model).
 */
export async function startStackWithUpstream({
  gateways = 1,
  retrieval = false,
  env = {},
}: { gateways?: number; retrieval?: boolean; env?: Record<string, string> } = {}): Promise<{
  stack: Stack;
  upstream: FakeLlm;
}> {
  const upstream = await startFakeLlm({ models: ['gpt-fake'] });
  const stack = await startStack({
    copies: {
      auth: 1,
      chat: 1,
      files: 1,
      'model-gateway': 1,
      gateway: gateways,
      ...(retrieval ? { retrieval: 1 } : {}),
    },
    env: {
      DEFAULT_USER_ROLE: 'user',
      OPENAI_API_BASE_URLS: upstream.openaiBaseUrl,
      OPENAI_API_KEYS: 'sk-fake',
      OLLAMA_BASE_URLS: upstream.url,
      ...env,
    },
  });
  return { stack, upstream };
}
