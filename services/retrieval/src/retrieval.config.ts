import { commonServiceEnv, env, sensitive, z } from '@parley/config';

/** Every variable the retrieval service reads. */
export const retrievalConfigSchema = z.object({
  HTTP_PORT: env.port(8084),
  GRPC_PORT: env.port(50054),
  DATABASE_URL: sensitive(env.url(['postgres', 'postgresql'], 'postgresql://postgres@127.0.0.1:5432/parley')),
  NATS_URL: env.urlList(['nats', 'tls'], 'nats://127.0.0.1:4222'),
  ...commonServiceEnv(),
});

export type RetrievalConfig = z.infer<typeof retrievalConfigSchema>;
export const RETRIEVAL_CONFIG = Symbol('RETRIEVAL_CONFIG');
