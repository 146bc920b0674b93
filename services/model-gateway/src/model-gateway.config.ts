import { databaseEnv } from '@parley/database';
import { redisEnv } from '@parley/redis';
import { commonServiceEnv, env, sensitive, z } from '@parley/config';
import { natsEnv } from '@parley/nats';

/** Every variable the model-gateway service reads. */
export const modelGatewayConfigSchema = z.object({
  HTTP_PORT: env.port(8083),
  GRPC_PORT: env.port(50053),
  ...databaseEnv(),
  ...natsEnv(),
  WEBUI_SECRET_KEY: sensitive(
    z
      .string({ required_error: 'is required (a long random string)' })
      .min(16, 'must be at least 16 characters'),
  ),
  ...redisEnv(),
  // Connections in Open WebUI's form: URLs and keys `;`-separated, paired by position. They seed the
  // connections table on the first start; after that an admin edits them at run time (as Open WebUI's
  // persistent config does).
  ENABLE_OPENAI_API: env.bool(true),
  OPENAI_API_BASE_URLS: z.string().default(''),
  OPENAI_API_KEYS: sensitive(z.string().default('')),
  ENABLE_OLLAMA_API: env.bool(true),
  OLLAMA_BASE_URLS: z.string().default(''),
  /**
   * The proxy for calls to model servers (the standard variables, as Open WebUI's HTTP client honours
   * them; read where each call is made). NO_PROXY lists hosts reached directly (e.g. an in-cluster Ollama).
   * Internal gRPC never uses them.
   */
  HTTP_PROXY: env.url(['http', 'https']).optional(),
  HTTPS_PROXY: env.url(['http', 'https']).optional(),
  NO_PROXY: z.string().optional(),
  /** The singular form most Open WebUI installs use; taken when OLLAMA_BASE_URLS is empty. */
  OLLAMA_BASE_URL: z.string().default(''),
  /** Seconds a connection's model list stays cached in Redis (Open WebUI's name). */
  MODELS_CACHE_TTL: env.int(1, { min: 0, max: 86_400 }),
  /** Seconds one connection may take to list its models before the list is served without it. */
  AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST: z.coerce
    .number({ invalid_type_error: 'must be a number of seconds' })
    .positive('must be more than 0')
    .max(600)
    .default(10),
  /** Milliseconds until an upstream answers a completion with its headers (and, streamed, a first chunk). */
  UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: env.int(60_000, { min: 100, max: 3_600_000 }),
  /** Milliseconds an upstream stream may stay silent between chunks before it counts as broken. */
  UPSTREAM_IDLE_TIMEOUT_MS: env.int(60_000, { min: 100, max: 3_600_000 }),
  /** Consecutive failures after which an upstream is skipped (the circuit breaker opens). */
  UPSTREAM_FAILURE_THRESHOLD: env.int(3, { min: 1, max: 1_000 }),
  /** Milliseconds an upstream with an open breaker is skipped before one trial request is let through. */
  UPSTREAM_COOLDOWN_MS: env.int(30_000, { min: 0, max: 3_600_000 }),
  /** Milliseconds this copy trusts its in-memory copy of the connections table (edits also notify). */
  CONNECTIONS_CACHE_MS: env.int(5_000, { min: 0, max: 600_000 }),
  // Chat tasks (docs/chat-tasks.md).
  /** The chat service, which stores the answers chat tasks stream. */
  CHAT_GRPC_URL: env.hostPort('127.0.0.1:50052'),
  GRPC_DEADLINE_MS: env.int(5_000, { min: 100, max: 60_000 }),
  /**
   * The name the copies of one installation share for their task records in Redis (and the sweeper
   * that fails the answers of a copy that died). Two installations on one Redis need different names.
   */
  MODEL_GATEWAY_CLUSTER: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _ (at most 63)')
    .default('model-gateway'),
  /** Milliseconds a copy's claim on a running task lasts without renewal; renewed every third of it. */
  CHAT_TASK_LEASE_MS: env.int(15_000, { min: 1_000, max: 600_000 }),
  /** Milliseconds between saves of a growing answer: what a crash can lose at most. */
  CHAT_TASK_SAVE_INTERVAL_MS: env.int(1_000, { min: 50, max: 60_000 }),
  /** Milliseconds deltas are gathered into one event while an answer streams (0: one event per chunk). */
  CHAT_TASK_DELTA_COALESCE_MS: env.int(15, { min: 0, max: 1_000 }),
  /** Chat tasks one user may have running at once. */
  CHAT_TASK_MAX_PER_USER: env.int(8, { min: 1, max: 1_000 }),
  /** The task model (titles, tags, ...) for conversations with a local (Ollama) model; empty: the conversation's own. */
  TASK_MODEL: z.string().default(''),
  /** Open WebUI's default models, comma-separated: the first is the fallback below. */
  DEFAULT_MODELS: z.string().max(10_000).default(''),
  /**
   * Open WebUI's switch: a preset whose base model no connection serves any more answers with the first
   * of DEFAULT_MODELS instead of "model not found" (its prompt and parameters still apply).
   */
  ENABLE_CUSTOM_MODEL_FALLBACK: env.bool(false),
  /** Title generation after a chat's first answer (Open WebUI's name). */
  ENABLE_TITLE_GENERATION: env.bool(true),
  // The conversation tasks of /api/v1/tasks (docs/tasks.md), Open WebUI's names; an admin may change
  // them at runtime, and what was stored wins over these from then on. Empty templates: Parley's own.
  /** The task model for conversations with an external (OpenAI-compatible) model; empty: TASK_MODEL's rule. */
  TASK_MODEL_EXTERNAL: z.string().default(''),
  TITLE_GENERATION_PROMPT_TEMPLATE: z.string().max(20_000).default(''),
  ENABLE_TAGS_GENERATION: env.bool(true),
  TAGS_GENERATION_PROMPT_TEMPLATE: z.string().max(20_000).default(''),
  ENABLE_FOLLOW_UP_GENERATION: env.bool(true),
  FOLLOW_UP_GENERATION_PROMPT_TEMPLATE: z.string().max(20_000).default(''),
  ENABLE_SEARCH_QUERY_GENERATION: env.bool(true),
  ENABLE_RETRIEVAL_QUERY_GENERATION: env.bool(true),
  QUERY_GENERATION_PROMPT_TEMPLATE: z.string().max(20_000).default(''),
  ENABLE_AUTOCOMPLETE_GENERATION: env.bool(false),
  /** The longest text autocomplete takes (characters; -1: any), Open WebUI's name. */
  AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH: env.int(-1, { min: -1, max: 1_000_000 }),
  AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE: z.string().max(20_000).default(''),
  // Files in chats (docs/files-in-chats.md).
  /** The files service: the gateway resolves a message's `files` there, acting as the user. */
  FILES_GRPC_URL: env.hostPort('127.0.0.1:50055'),
  /**
   * The retrieval service: a message's documents and knowledge bases become the chunks that answer its
   * question (docs/retrieval.md). Empty: no retrieval, documents go in whole (full-context mode).
   */
  RETRIEVAL_GRPC_URL: z
    .string()
    .regex(
      /^$|^(dns:\/\/\/)?[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/,
      'must be empty or host:port, e.g. 127.0.0.1:50054',
    )
    .default(''),
  /** Pixels of an image's longest side when it goes to a model (larger ones are scaled down). */
  MODEL_IMAGE_MAX_SIDE: env.int(2048, { min: 64, max: 16_384 }),
  /** MB of one image file read to send to a model; a larger one is refused with a clear 400. */
  MODEL_IMAGE_MAX_INPUT_MB: env.int(20, { min: 1, max: 1_024 }),
  /** Characters of one document's extracted text put in the prompt (full-context mode); the rest is cut. */
  MODEL_FILE_CONTEXT_MAX_CHARS: env.int(100_000, { min: 1_000, max: 10_000_000 }),
  // Presets, usage and quotas (docs/model-gateway.md).
  /** Open WebUI's name: every user sees and may call every preset, whatever its access control. */
  BYPASS_MODEL_ACCESS_CONTROL: env.bool(false),
  /** Requests per minute a user may start when neither they nor a group of theirs has a limit; 0: none. */
  USAGE_DEFAULT_REQUESTS_PER_MINUTE: env.int(0, { min: 0, max: 1_000_000 }),
  /** Tokens per UTC day a user may use when neither they nor a group of theirs has a limit; 0: none. */
  USAGE_DEFAULT_TOKENS_PER_DAY: env.int(0, { min: 0, max: 1_000_000_000_000 }),
  /**
   * How often a copy writes the usage it summed in memory (one statement per flush); what a crash can
   * lose, and how stale another copy's token quota check can be (docs/performance.md).
   */
  USAGE_FLUSH_INTERVAL_MS: env.int(1_000, { min: 10, max: 60_000 }),
  ...commonServiceEnv(),
});

export type ModelGatewayConfig = z.infer<typeof modelGatewayConfigSchema>;
export const MODEL_GATEWAY_CONFIG = Symbol('MODEL_GATEWAY_CONFIG');
