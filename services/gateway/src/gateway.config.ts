import { sessionCookieEnv } from '@parley/auth-guard';
import { redisEnv } from '@parley/redis';
import { resolve } from 'node:path';
import { commonServiceEnv, env, z } from '@parley/config';
import { AUDIT_LEVELS } from './audit/audit-record';

const promptSuggestions = z
  .array(
    z.object({ title: z.array(z.string().max(500)).max(10).default([]), content: z.string().max(10_000) }),
  )
  .max(100);

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every variable the gateway reads. */
export const gatewayConfigSchema = z.object({
  /** The public HTTP port (Open WebUI's name). */
  PORT: env.port(8080),
  /** Prometheus metrics, on their own port so the public one does not answer /metrics. */
  METRICS_PORT: env.port(9464),
  /** The public gRPC API (parley.api.v1, docs/grpc-api.md), on its own port with health and reflection. */
  GRPC_API_PORT: env.port(50050),
  /** TLS for the public gRPC API (PEM files): both, or neither for plaintext behind a TLS-ending proxy. */
  GRPC_API_TLS_CERT_FILE: z.string().min(1).optional(),
  GRPC_API_TLS_KEY_FILE: z.string().min(1).optional(),
  HOST: z.string().default('0.0.0.0'),
  AUTH_GRPC_URL: env.hostPort('127.0.0.1:50051'),
  CHAT_GRPC_URL: env.hostPort('127.0.0.1:50052'),
  /** The auth service's HTTP address, for the single sign-on redirects under /oauth/. */
  AUTH_HTTP_URL: env.url(['http', 'https'], 'http://127.0.0.1:8081'),
  MODEL_GATEWAY_GRPC_URL: env.hostPort('127.0.0.1:50053'),
  FILES_GRPC_URL: env.hostPort('127.0.0.1:50055'),
  /** Knowledge bases, search and the retrieval settings (/api/v1/knowledge, /api/v1/retrieval). */
  RETRIEVAL_GRPC_URL: env.hostPort('127.0.0.1:50054'),
  /** Deadline of one upload or download through the files service (large files take a while). */
  FILES_TRANSFER_DEADLINE_MS: env.int(3_600_000, { min: 1_000, max: 86_400_000 }),
  /**
   * Shown to clients in /api/config `file` (Open WebUI's names): the largest upload in MB (the files service
   * enforces its own RAG_FILE_MAX_SIZE; give both the same value, the chart does) and how many files one
   * message may attach (the web app enforces it, as Open WebUI's does).
   */
  /** The installation's name, shown on the sign-in screen and in /api/config (Open WebUI's name). */
  WEBUI_NAME: z.string().min(1).max(100).default('Parley'),
  /** Whether the realtime service serves WebSocket (Open WebUI's switch; /api/config tells clients). */
  ENABLE_WEBSOCKET_SUPPORT: env.bool(true),
  /** Open WebUI's DEFAULT_MODELS: the model id(s) a new chat starts with, comma separated ('' lets users pick). */
  DEFAULT_MODELS: z.string().max(2_000, 'must be at most 2000 characters').default(''),
  /**
   * Open WebUI's DEFAULT_PROMPT_SUGGESTIONS: a JSON list of `{"title": ["line 1", "line 2"], "content": "..."}`
   * shown on an empty chat; `[]` shows none. Both are given to signed-in clients in /api/config.
   */
  DEFAULT_PROMPT_SUGGESTIONS: z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      const parsed = promptSuggestions.safeParse(safeJson(text));
      if (parsed.success) return parsed.data;
      ctx.addIssue({
        code: 'custom',
        message: 'must be a JSON list of {"title": ["...", "..."], "content": "..."} (at most 100)',
      });
      return z.NEVER;
    }),
  /** Open WebUI's ENABLE_MESSAGE_RATING: whether clients offer thumbs up/down on answers. */
  ENABLE_MESSAGE_RATING: env.bool(true),
  RAG_FILE_MAX_SIZE: z.coerce.number().positive('must be a positive number of MB').optional(),
  RAG_FILE_MAX_COUNT: z.coerce
    .number()
    .int('must be a whole number')
    .positive('must be 1 or more')
    .optional(),
  /** Deadline of one completion or pass-through stream through the model gateway (streams run long). */
  COMPLETION_DEADLINE_MS: env.int(600_000, { min: 1_000, max: 86_400_000 }),
  /** Where the Socket.IO upgrade at /ws/ is proxied to. */
  REALTIME_URL: env.url(['http', 'https'], 'http://127.0.0.1:8086'),
  ...redisEnv(),
  /** The built SPA; defaults to dist/web next to the built services. */
  WEB_DIST_DIR: z.string().default(resolve(__dirname, '../../../web')),
  /** Deadline of every call to a backend service. */
  GRPC_DEADLINE_MS: env.int(10_000, { min: 100, max: 600_000 }),
  /** Largest JSON body accepted. */
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must be a size like 512kb or 8mb')
    .default('8mb'),
  /** Sign-in attempts allowed per client IP and per account in the window, across all copies. */
  SIGNIN_RATE_LIMIT_PER_IP: env.int(30, { min: 1 }),
  SIGNIN_RATE_LIMIT_PER_ACCOUNT: env.int(10, { min: 1 }),
  SIGNIN_RATE_LIMIT_WINDOW_SECONDS: env.int(60, { min: 1, max: 86_400 }),
  /** Limit API keys to the paths in API_KEY_ALLOWED_ENDPOINTS (comma separated; a trailing * matches a prefix). */
  ENABLE_API_KEY_ENDPOINT_RESTRICTIONS: env.bool(false),
  API_KEY_ALLOWED_ENDPOINTS: z.string().default(''),
  /** Sign-in by a header an SSO proxy in front sets (Open WebUI's variables); the proxy must strip it from clients. */
  WEBUI_AUTH_TRUSTED_EMAIL_HEADER: z.string().max(100).optional(),
  WEBUI_AUTH_TRUSTED_NAME_HEADER: z.string().max(100).optional(),
  /** Which proxies' X-Forwarded-For to trust for the client IP (Express's "trust proxy"). */
  TRUST_PROXY: z.string().default('loopback'),
  /** Browser origins besides the gateway's own whose cookie-signed POST/PUT/PATCH/DELETE are accepted (`;`-separated, or `*`). */
  CORS_ALLOW_ORIGIN: z.string().default(''),
  /** Audit log (Open WebUI's variables): NONE, METADATA, REQUEST (+ request body), REQUEST_RESPONSE. */
  AUDIT_LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
    z.enum(AUDIT_LEVELS).default('NONE'),
  ),
  /** Longest request/response body text in an audit line (characters; longer is cut). */
  AUDIT_MAX_BODY_LOG_SIZE: env.int(2048, { min: 0, max: 10_000_000 }),
  /** Paths not audited, comma separated, under /api/v1 (e.g. `/chats,/folders`); sign-ins always are. */
  AUDIT_EXCLUDED_PATHS: z.string().default(''),
  /** Write audit lines to this file (rotated by size) instead of stdout. */
  AUDIT_LOGS_FILE_PATH: z.string().min(1).optional(),
  AUDIT_LOG_FILE_ROTATION_SIZE: z
    .string()
    .regex(/^\s*\d+\s*[KMG]?B?\s*$/i, 'must be a size like 10MB or 500KB')
    .default('10MB'),
  ...sessionCookieEnv(),
  ...commonServiceEnv(),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
