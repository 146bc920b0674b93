import { databaseEnv } from '@parley/database';
import { commonServiceEnv, env, sensitive, z } from '@parley/config';

/** Every variable the files service reads. */
export const filesConfigSchema = z.object({
  HTTP_PORT: env.port(8085),
  GRPC_PORT: env.port(50055),
  ...databaseEnv(),
  NATS_URL: env.urlList(['nats', 'tls'], 'nats://127.0.0.1:4222'),
  /** Where the bytes live, Open WebUI's variables (docs/files.md). */
  STORAGE_PROVIDER: env.oneOf(['local', 's3'], 'local'),
  UPLOAD_DIR: z.string().default('./.data/files'),
  S3_BUCKET_NAME: z.string().optional(),
  S3_ENDPOINT_URL: env.url(['http', 'https']).optional(),
  S3_REGION_NAME: z.string().optional(),
  S3_ACCESS_KEY_ID: sensitive(z.string().optional()),
  S3_SECRET_ACCESS_KEY: sensitive(z.string().optional()),
  S3_KEY_PREFIX: z.string().default(''),
  S3_ADDRESSING_STYLE: env.oneOf(['auto', 'path', 'virtual'], 'auto'),
  ...commonServiceEnv(),
});

export type FilesConfig = z.infer<typeof filesConfigSchema>;
export const FILES_CONFIG = Symbol('FILES_CONFIG');
