import { redisEnv } from '@parley/redis';
import { commonServiceEnv, env, sensitive, z } from '@parley/config';
import { natsEnv } from '@parley/nats';

/** Every variable the realtime service reads. Names follow Open WebUI where it has one. */
export const realtimeConfigSchema = z.object({
  HTTP_PORT: env.port(8086),
  ...redisEnv(),
  ...natsEnv(),
  AUTH_GRPC_URL: env.hostPort('127.0.0.1:50051'),
  /** Asked whether a socket's user may join a chat's room (GetChat with the user id). */
  CHAT_GRPC_URL: env.hostPort('127.0.0.1:50052'),
  /** Seconds between Socket.IO pings, and how long a ping may go unanswered. */
  WEBSOCKET_SERVER_PING_INTERVAL: env.int(25, { min: 1, max: 600 }),
  WEBSOCKET_SERVER_PING_TIMEOUT: env.int(20, { min: 1, max: 600 }),
  /**
   * The Redis of the sockets (the Socket.IO adapter, session pools, replay buffers), Open WebUI's name; the
   * main REDIS_URL when unset. REDIS_MODE applies to it too, with WEBSOCKET_SENTINEL_HOSTS/PORT when set.
   * Revocations are always heard on the main Redis, where the auth service writes them.
   */
  WEBSOCKET_REDIS_URL: sensitive(env.url(['redis', 'rediss']).optional()),
  WEBSOCKET_SENTINEL_HOSTS: z.string().optional(),
  WEBSOCKET_SENTINEL_PORT: env.port(26379).optional(),
  /**
   * Open WebUI's switch: false serves Socket.IO over long-polling only (for proxies that cannot pass
   * WebSocket upgrades; across several copies it needs sticky sessions). The gateway says so in
   * /api/config (features.enable_websocket), and the web app connects accordingly.
   */
  ENABLE_WEBSOCKET_SUPPORT: env.bool(true),
  /** Long-polling as a fallback transport beside WebSocket. Across several copies it needs sticky sessions. */
  WEBSOCKET_ALLOW_POLLING: env.bool(false),
  /**
   * Browser origins allowed to open a socket besides the gateway's own: `;`-separated origins, or `*`
   * for any (Open WebUI's name). Empty: same origin only. Handshakes without an Origin are not affected.
   */
  CORS_ALLOW_ORIGIN: z.string().max(10_000).default(''),
  /**
   * Largest event payload (its JSON, in bytes) a handler reads; a bigger one is answered with an error
   * ack. Frames above Socket.IO's transport limit (four times this, at least 1 MB) close the socket.
   */
  REALTIME_MAX_PAYLOAD_BYTES: env.int(65_536, { min: 1_024, max: 16_000_000 }),
  /** Bytes a socket may have waiting to be written before it is cut off as too slow. */
  WEBSOCKET_MAX_BUFFERED_BYTES: env.int(4_000_000, { min: 64_000 }),
  /**
   * Seconds a socket's entry in the session pool (and a user's in the active-user count) lives without
   * a heartbeat from the copy holding it: a copy that dies leaves nothing behind after this.
   */
  REALTIME_SESSION_TTL_SECONDS: env.int(60, { min: 2, max: 3_600 }),
  /** Seconds a model stays in the usage pool after `task.started` without `task.stopped`. */
  REALTIME_USAGE_TTL_SECONDS: env.int(300, { min: 2, max: 86_400 }),
  /** Seconds a completion's deltas are kept for clients that reconnect and resume. */
  REALTIME_REPLAY_TTL_SECONDS: env.int(600, { min: 5, max: 86_400 }),
  /**
   * The name the copies serving one installation share: their NATS queue group and JetStream consumer,
   * the Socket.IO adapter's Redis channels and the Redis keys of the pools. Two installations on one
   * NATS and Redis need different names.
   */
  REALTIME_CLUSTER: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _ (at most 63)')
    .default('realtime'),
  GRPC_DEADLINE_MS: env.int(5_000, { min: 100, max: 60_000 }),
  ...commonServiceEnv(),
});

export type RealtimeConfig = z.infer<typeof realtimeConfigSchema>;
export const REALTIME_CONFIG = Symbol('REALTIME_CONFIG');
