import { join } from 'node:path';
import { databaseEnv } from '@parley/database';
import { commonServiceEnv, env, sensitive, z } from '@parley/config';
import { natsEnv } from '@parley/nats';

/** A comma-separated list of file extensions (Open WebUI's form: `pdf,docx`, dots and case ignored). */
const extensionList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim().replace(/^\./, '').toLowerCase())
      .filter(Boolean),
  );

/** Every variable the files service reads (Open WebUI's names where it has them). */
export const filesConfigSchema = z.object({
  HTTP_PORT: env.port(8085),
  GRPC_PORT: env.port(50055),
  ...databaseEnv(),
  ...natsEnv(),
  /** `local`: UPLOAD_DIR on this node's disk (one copy, or a ReadWriteMany volume); `s3`: any S3 API. */
  STORAGE_PROVIDER: env.oneOf(['local', 's3'], 'local'),
  /** Where local state lives when nothing else says (Open WebUI's name): uploads go to DATA_DIR/uploads. */
  DATA_DIR: z.string().min(1).default('./.data'),
  /** The local provider's directory; DATA_DIR/uploads when unset. */
  UPLOAD_DIR: z.string().min(1).optional(),
  S3_BUCKET_NAME: z.string().min(3).optional(),
  /** Unset: AWS's own endpoint for S3_REGION_NAME. */
  S3_ENDPOINT_URL: env.url(['http', 'https']).optional(),
  S3_REGION_NAME: z.string().min(1).default('us-east-1'),
  /** Unset: the SDK's default credential chain (instance role, web identity, env). */
  S3_ACCESS_KEY_ID: sensitive(z.string().min(1).optional()),
  S3_SECRET_ACCESS_KEY: sensitive(z.string().min(1).optional()),
  /** Prepended to every object key (`tenant-a/`); objects are `<prefix><user id>/<file id>`. */
  S3_KEY_PREFIX: z.string().default(''),
  /** `path` for MinIO-like servers, `virtual` for AWS, `auto`: path when S3_ENDPOINT_URL is set. */
  S3_ADDRESSING_STYLE: env.oneOf(['path', 'virtual', 'auto'], 'auto'),
  /** Largest upload in MB (Open WebUI's name); unset: no limit. */
  RAG_FILE_MAX_SIZE: z.coerce.number().positive('must be a positive number of MB').optional(),
  /** Extensions accepted for processing; empty: any. */
  RAG_ALLOWED_FILE_EXTENSIONS: extensionList,
  /** Bytes each user may store, in MB; 0: unlimited. */
  FILES_USER_QUOTA_MB: z.coerce.number().min(0).default(0),
  /** Extracted text beyond this many characters is cut (and the cut is said in the text). */
  FILES_MAX_EXTRACTED_CHARS: env.int(2_000_000, { min: 1_000 }),
  /** PDF, DOCX, XLSX and PPTX are parsed in memory; larger ones end failed with the reason. */
  FILES_MAX_EXTRACTION_INPUT_MB: env.int(100, { min: 1 }),
  /** One extraction attempt longer than this fails (and is retried). */
  FILES_EXTRACTION_TIMEOUT_MS: env.int(120_000, { min: 100 }),
  /** Attempts before a file ends failed with the last reason. */
  FILES_EXTRACTION_MAX_ATTEMPTS: env.int(4, { min: 1, max: 20 }),
  /** First retry delay; doubled per attempt. */
  FILES_EXTRACTION_RETRY_MS: env.int(1_000, { min: 10 }),
  /** Page size of ListFiles when the caller names none. */
  /** The JetStream stream of extraction jobs; installations (or tests) sharing one NATS use their own. */
  FILES_WORK_QUEUE: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{2,63}$/, 'must be an upper-case stream name, e.g. PARLEY_FILE_EXTRACTION')
    .default('PARLEY_FILE_EXTRACTION'),
  FILES_PAGE_SIZE: env.int(50, { min: 1, max: 100 }),
  /** How often one copy looks for stored objects whose row is gone; 0: never. */
  FILES_SWEEP_INTERVAL_MS: env.int(600_000, { min: 0 }),
  /** An object younger than this is never swept (its upload may still be finishing). */
  FILES_SWEEP_MIN_AGE_MS: env.int(3_600_000, { min: 0 }),
  ...commonServiceEnv(),
});

export type FilesConfig = z.infer<typeof filesConfigSchema>;
export const FILES_CONFIG = Symbol('FILES_CONFIG');

/** The extraction delay before attempt `n + 1`: doubling from FILES_EXTRACTION_RETRY_MS, at most a minute. */
export function extractionBackoffMs(config: FilesConfig, deliveryCount: number): number {
  return Math.min(60_000, config.FILES_EXTRACTION_RETRY_MS * 2 ** Math.max(0, deliveryCount - 1));
}

/** UPLOAD_DIR, or DATA_DIR/uploads (Open WebUI's layout). */
export function uploadDirOf(config: Pick<FilesConfig, 'UPLOAD_DIR' | 'DATA_DIR'>): string {
  return config.UPLOAD_DIR ?? join(config.DATA_DIR, 'uploads');
}
