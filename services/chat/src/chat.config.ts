import { databaseEnv } from '@parley/database';
import { commonServiceEnv, env, z } from '@parley/config';
import { natsEnv } from '@parley/nats';

/** Every variable the chat service reads. */
export const chatConfigSchema = z.object({
  HTTP_PORT: env.port(8082),
  GRPC_PORT: env.port(50052),
  ...databaseEnv(),
  ...natsEnv(),
  /** Chats per page in lists (Open WebUI uses 60). */
  CHAT_PAGE_SIZE: env.int(60, { min: 1, max: 500 }),
  CHAT_TITLE_MAX_LENGTH: env.int(500, { min: 10, max: 10_000 }),
  /** Largest chat document accepted in one request, in bytes. */
  CHAT_MAX_DOCUMENT_BYTES: env.int(5_000_000, { min: 10_000 }),
  CHAT_MAX_MESSAGES: env.int(10_000, { min: 10 }),
  /** Largest single message (content and fields), in bytes. */
  CHAT_MAX_MESSAGE_BYTES: env.int(1_000_000, { min: 1_000 }),
  /** Longest tag or folder name, in characters. */
  CHAT_TAG_MAX_LENGTH: env.int(100, { min: 10, max: 1_000 }),
  CHAT_MAX_TAGS: env.int(50, { min: 1, max: 1_000 }),
  /** Most chats one import request may carry; a larger import is refused (413) and should be split. */
  CHAT_IMPORT_MAX_CHATS: env.int(100, { min: 1, max: 100_000 }),
  /** Open WebUI's name and default: admins may open other users' chats (read only). */
  ENABLE_ADMIN_CHAT_ACCESS: env.bool(true),
  ...commonServiceEnv(),
});

export type ChatConfig = z.infer<typeof chatConfigSchema>;
export const CHAT_CONFIG = Symbol('CHAT_CONFIG');
