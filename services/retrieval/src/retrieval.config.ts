import { databaseEnv } from '@parley/database';
import { commonServiceEnv, env, z } from '@parley/config';

/** Every variable the retrieval service reads. */
export const retrievalConfigSchema = z.object({
  HTTP_PORT: env.port(8084),
  GRPC_PORT: env.port(50054),
  ...databaseEnv(),
  NATS_URL: env.urlList(['nats', 'tls'], 'nats://127.0.0.1:4222'),
  ...commonServiceEnv(),
});

export type RetrievalConfig = z.infer<typeof retrievalConfigSchema>;
export const RETRIEVAL_CONFIG = Symbol('RETRIEVAL_CONFIG');
