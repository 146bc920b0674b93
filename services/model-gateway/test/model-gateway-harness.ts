import { parseConfig } from '@parley/config';
import {
  FakeLlm,
  InProcessService,
  startInProcess,
  TEST_CALLER_SECRET,
  TestDatabase,
  testInfrastructure,
} from '@parley/testing';
import { ModelGatewayAppModule } from '../src/app.module';
import { modelGatewayConfigSchema } from '../src/model-gateway.config';

/**
 * One model-gateway copy in this process, on real gRPC, PostgreSQL, Redis and NATS, with the fake
 * upstream as its only (OpenAI) connection; `env` adds or overrides variables.
 */
export async function startModelGatewayCopy(
  db: TestDatabase,
  upstream: FakeLlm,
  env: Record<string, string> = {},
): Promise<InProcessService> {
  const infra = await testInfrastructure();
  const config = parseConfig(modelGatewayConfigSchema, {
    CALLER_ASSERTION_SECRET: TEST_CALLER_SECRET,
    DATABASE_URL: db.url,
    REDIS_URL: infra.redisUrl,
    NATS_URL: infra.natsUrl,
    WEBUI_SECRET_KEY: 'integration-test-secret-key-0123456789',
    OPENAI_API_BASE_URLS: upstream.openaiBaseUrl,
    ENABLE_OLLAMA_API: 'false',
    MODELS_CACHE_TTL: '1',
    ...env,
  });
  return startInProcess('model-gateway', ({ logger, grpcHost }) =>
    ModelGatewayAppModule.register(config, logger, grpcHost),
  );
}
