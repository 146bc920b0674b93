import { commonServiceEnv, env, sensitive, z } from '@parley/config';

/** Every variable the files service reads. */
export const filesConfigSchema = z.object({
  HTTP_PORT: env.port(8085),
  GRPC_PORT: env.port(50055),
  DATABASE_URL: sensitive(env.url(['postgres', 'postgresql'], 'postgresql://postgres@127.0.0.1:5432/parley')),
  NATS_URL: env.url(['nats', 'tls'], 'nats://127.0.0.1:4222'),
  FILES_STORAGE_PROVIDER: env.oneOf(['local', 's3'], 'local'),
  FILES_LOCAL_DIR: z.string().default('./.data/files'),
  ...commonServiceEnv(),
});

export type FilesConfig = z.infer<typeof filesConfigSchema>;
export const FILES_CONFIG = Symbol('FILES_CONFIG');
