import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigValidationError } from './load-config';

/**
 * What an Open WebUI operator's environment needs before a service's schema reads it: the `.env` file
 * of the working directory (as Open WebUI reads it), and DATABASE_URL composed from Open WebUI's
 * DATABASE_TYPE/USER/PASSWORD/HOST/PORT/NAME when it is not given. docs/from-open-webui.md.
 */
export function openWebUiEnvironment(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): Record<string, string | undefined> {
  const source = { ...readDotEnv(cwd), ...definedOnly(env) };
  const composed = composedDatabaseUrl(source);
  return composed ? { ...source, DATABASE_URL: composed } : source;
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** The working directory's `.env`: values the real environment does not set. */
function readDotEnv(cwd: string): Record<string, string> {
  const file = join(cwd, '.env');
  if (!existsSync(file)) return {};
  try {
    return definedOnly(parseEnv(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new ConfigValidationError([`.env in ${cwd} cannot be read: ${(error as Error).message}`]);
  }
}

const POSTGRES_TYPES = ['postgres', 'postgresql'];

/**
 * Open WebUI composes `<type>://<user>:<password>@<host>:<port>/<name>` when DATABASE_URL is unset and
 * the parts are given. Parley runs on PostgreSQL only: another type stops the start, saying why.
 */
export function composedDatabaseUrl(env: Record<string, string | undefined>): string | undefined {
  const type = env.DATABASE_TYPE?.trim().toLowerCase();
  if (type && !POSTGRES_TYPES.includes(type)) {
    throw new ConfigValidationError([
      `DATABASE_TYPE ${JSON.stringify(env.DATABASE_TYPE)} is not supported: Parley runs on PostgreSQL only, ` +
        'because several copies of every service share one database (SQLite is one file on one machine). ' +
        'Set DATABASE_TYPE=postgresql with DATABASE_HOST etc., or DATABASE_URL=postgresql://...; ' +
        'docs/from-open-webui.md says how to move the data.',
    ]);
  }
  if (env.DATABASE_URL) {
    if (/^sqlite/i.test(env.DATABASE_URL)) {
      throw new ConfigValidationError([
        'DATABASE_URL is a SQLite URL: Parley runs on PostgreSQL only (several copies share one database). ' +
          'Set DATABASE_URL=postgresql://user:password@host:5432/name; docs/from-open-webui.md says how to move the data.',
      ]);
    }
    return undefined;
  }
  if (!env.DATABASE_HOST) return undefined;
  const user = env.DATABASE_USER ? encodeURIComponent(env.DATABASE_USER) : '';
  const password = env.DATABASE_PASSWORD ? `:${encodeURIComponent(env.DATABASE_PASSWORD)}` : '';
  const auth = user ? `${user}${password}@` : '';
  const port = env.DATABASE_PORT ? `:${env.DATABASE_PORT}` : '';
  const name = encodeURIComponent(env.DATABASE_NAME || 'openwebui');
  return `postgresql://${auth}${env.DATABASE_HOST}${port}/${name}`;
}

/**
 * Open WebUI variables Parley does not honour (yet), with what to do instead. A service that finds one
 * set logs one warning naming it; the README links this table (docs/from-open-webui.md lists it too).
 */
export const UNSUPPORTED_OPEN_WEBUI_VARIABLES: Record<string, string> = {
  CHROMA_HTTP_HOST: 'retrieval uses PostgreSQL with pgvector, not Chroma',
  QDRANT_URI: 'retrieval uses PostgreSQL with pgvector, not Qdrant',
  MILVUS_URI: 'retrieval uses PostgreSQL with pgvector, not Milvus',
  OPENSEARCH_URI: 'retrieval uses PostgreSQL with pgvector, not OpenSearch',
  ELASTICSEARCH_URL: 'retrieval uses PostgreSQL with pgvector, not Elasticsearch',
  ENABLE_WEB_SEARCH: 'web search is not built yet',
  WEB_SEARCH_ENGINE: 'web search is not built yet',
  ENABLE_IMAGE_GENERATION: 'image generation is not built yet',
  IMAGE_GENERATION_ENGINE: 'image generation is not built yet',
  AUDIO_STT_ENGINE: 'speech to text is not built yet',
  AUDIO_TTS_ENGINE: 'text to speech is not built yet',
  ENABLE_CODE_EXECUTION: 'code execution is not built yet',
  ENABLE_CODE_INTERPRETER: 'the code interpreter is not built yet',
  ENABLE_EVALUATION_ARENA_MODELS:
    'arena models are not built yet; an admin sets the evaluation settings in /api/v1/evaluations/config',
  ENABLE_COMMUNITY_SHARING: 'community sharing is not offered; share links stay inside the installation',
  ENABLE_CHANNELS: 'channels are not built yet',
  ENABLE_NOTES: 'notes are not built yet',
  GOOGLE_DRIVE_CLIENT_ID: 'Google Drive import is not built yet',
  ONEDRIVE_CLIENT_ID: 'OneDrive import is not built yet',
  GCS_BUCKET_NAME:
    'files are stored on local disk or S3 (STORAGE_PROVIDER=local|s3); use S3_* with an S3-compatible endpoint',
  AZURE_STORAGE_ENDPOINT: 'files are stored on local disk or S3 (STORAGE_PROVIDER=local|s3)',
  DATABASE_ENABLE_SQLITE_WAL: 'Parley runs on PostgreSQL only',
  WEBUI_BUILD_HASH: 'not used: the version is in the image labels',
  USE_CUDA_DOCKER:
    'Parley runs no models itself; point OPENAI_API_BASE_URLS or OLLAMA_BASE_URLS at a model server',
  USE_OLLAMA_DOCKER: 'Parley bundles no Ollama; set OLLAMA_BASE_URLS to your Ollama server',
  RAG_EMBEDDING_MODEL_AUTO_UPDATE: 'Parley downloads no models at start',
  HF_HUB_OFFLINE: 'Parley downloads no models at start',
  REDIS_CLUSTER: 'Redis Cluster is not supported yet; use one Redis, or Sentinel with REDIS_MODE=sentinel',
  WEBSOCKET_REDIS_CLUSTER: 'Redis Cluster is not supported yet; WEBSOCKET_REDIS_URL names one Redis',
  WEBSOCKET_MANAGER: 'not needed: sockets are always shared through Redis across copies',
  ENABLE_OTEL_LOGS: 'logs are JSON lines on stdout; ship them with your log collector',
  OTEL_EXPORTER_OTLP_INSECURE:
    'Parley exports OTLP over HTTP (port 4318): give OTEL_EXPORTER_OTLP_ENDPOINT as http:// or https://',
  THREAD_POOL_SIZE: 'the services are Node.js processes with no thread pool to size; run more replicas',
  UVICORN_WORKERS: 'run more replicas of a service instead',
  RESET_CONFIG_ON_START: 'not built yet: settings saved in the admin panel keep winning over the env',
};

/** The unsupported Open WebUI variables set in `env`, each as one sentence for a warning. */
export function unsupportedOpenWebUiVariables(env: Record<string, string | undefined>): string[] {
  return Object.entries(UNSUPPORTED_OPEN_WEBUI_VARIABLES)
    .filter(([name]) => env[name] !== undefined && env[name] !== '')
    .map(([name, instead]) => `${name} is an Open WebUI setting Parley does not honour: ${instead}`);
}
