import { FakeLlm, Stack, startFakeLlm, startStack } from '@parley/testing';

/**
 * auth, chat, files, model-gateway and gateway (`gateways` copies) over a fake upstream that speaks both the
 * OpenAI and the Ollama protocol; new users are plain users. `env` adds or overrides variables; with
 * `retrieval`, a retrieval copy (and its vector store) too, for the knowledge and retrieval routes.
 */
export async function startStackWithUpstream({
  gateways = 1,
  env = {},
  retrieval = false,
}: { gateways?: number; env?: Record<string, string>; retrieval?: boolean } = {}): Promise<{
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
      ...(retrieval ? { retrieval: 1 } : {}),
      gateway: gateways,
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
