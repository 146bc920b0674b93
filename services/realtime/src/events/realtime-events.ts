import { z } from '@parley/config';
import { event } from '@parley/nats';
import { eventsV1 } from '@parley/proto';

/**
 * The events this service handles. Payloads are the messages of proto/parley/events/v1 (one source for
 * publishers, this service and the web app); docs/realtime-events.md is the reference for clients.
 * What stays here are the bounds this service enforces on what it passes on (hardening), not a second
 * declaration of the shapes.
 */

/** Socket.IO events the server emits, each with its message; emitted in the message's JSON form. */
export const SOCKET_EVENTS = {
  chatCreated: event('chat:created', eventsV1.ChatCreatedSchema),
  chatUpdated: event('chat:updated', eventsV1.ChatUpdatedSchema),
  chatDeleted: event('chat:deleted', eventsV1.ChatDeletedSchema),
  chatTitle: event('chat:title', eventsV1.ChatTitleSetSchema),
  taskStarted: event('task:started', eventsV1.TaskEventSchema),
  taskStopped: event('task:stopped', eventsV1.TaskEventSchema),
  chatCompletion: event('chat:completion', eventsV1.ChatCompletionSchema),
  usage: event('usage', eventsV1.UsageSchema),
  userCount: event('user-count', eventsV1.UserCountSchema),
  sessionRevoked: event('session:revoked', eventsV1.SessionRevokedSchema),
  fileStatus: event('file:status', eventsV1.FileStatusChangedSchema),
  /** The same socket event as fileStatus, for the indexing stage (its payload has `stage: "index"`). */
  fileIndexStatus: event('file:status', eventsV1.FileIndexStatusSchema),
  knowledgeStatus: event('knowledge:status', eventsV1.KnowledgeStatusChangedSchema),
} as const;

const MAX_ID = 200;
const MAX_DELTA_CHARS = 1_000_000;
const MAX_ERROR_CHARS = 10_000;
const MAX_SEQ = 1_000_000;
/** More files than a knowledge base may hold (the retrieval service allows 10,000). */
const MAX_FILE_COUNT = 1_000_000;

const isId = (value: string): boolean => value.length >= 1 && value.length <= MAX_ID;
const isOptionalId = (value: string | undefined): boolean => value === undefined || isId(value);

/** A chat event this service passes on: a user to route to, and a chat id (when there is one) in bounds. */
export function chatInBounds(chat: eventsV1.ChatRef | undefined): chat is eventsV1.ChatRef {
  return chat !== undefined && isId(chat.userId) && isOptionalId(chat.id);
}

/** A file status (extraction's or indexing's) this service passes on: its owner and file id in bounds. */
export function fileStatusInBounds(event: { userId: string; fileId: string; error: string }): boolean {
  return isId(event.userId) && isId(event.fileId) && event.error.length <= MAX_ERROR_CHARS;
}

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= MAX_FILE_COUNT;

/** A knowledge status this service passes on: owner and base in bounds, the file id too when there is one. */
export function knowledgeStatusInBounds(event: eventsV1.KnowledgeStatusChanged): boolean {
  return (
    isId(event.userId) &&
    isId(event.knowledgeBaseId) &&
    (event.fileId === '' || isId(event.fileId)) &&
    isCount(event.filesTotal) &&
    isCount(event.filesIndexed) &&
    isCount(event.filesFailed)
  );
}

/** `file:status` for the indexing stage: the retrieval event with `stage: "index"`. */
export function toFileIndexStatusEvent(event: eventsV1.FileIndexStatusChanged) {
  return {
    v: event.v,
    fileId: event.fileId,
    userId: event.userId,
    state: event.state,
    chunkCount: event.chunkCount,
    error: event.error,
    stage: 'index',
  };
}

export function taskInBounds(task: eventsV1.TaskRef | undefined): task is eventsV1.TaskRef {
  return (
    task !== undefined &&
    isId(task.id) &&
    isId(task.userId) &&
    isOptionalId(task.chatId) &&
    isOptionalId(task.messageId) &&
    isOptionalId(task.modelId)
  );
}

/** A delta this service stores and emits: every id present, seq from 1, text and error within bounds. */
export function deltaInBounds(delta: eventsV1.CompletionDelta): boolean {
  return (
    isId(delta.userId) &&
    isId(delta.chatId) &&
    isId(delta.messageId) &&
    delta.seq >= 1 &&
    delta.seq <= MAX_SEQ &&
    delta.delta.length <= MAX_DELTA_CHARS &&
    (delta.error === undefined || delta.error.length <= MAX_ERROR_CHARS)
  );
}

/** `chat:completion` on the socket: `content` is the text the delta adds to the answer. */
export function toChatCompletionEvent(delta: eventsV1.CompletionDelta) {
  return {
    v: delta.v,
    chatId: delta.chatId,
    messageId: delta.messageId,
    seq: delta.seq,
    content: delta.delta,
    done: delta.done,
    ...(delta.error === undefined ? {} : { error: delta.error }),
    ...(delta.sources && delta.sources.values.length > 0 ? { sources: delta.sources } : {}),
  };
}

/** Client → server: `chat:join` / `chat:leave`. */
const id = z.string().min(1).max(MAX_ID);
export const chatRoomRequestSchema = z.object({ chat_id: id });

/** Client → server: `chat:completion:resume`, one stream or several. */
const resumeStream = z.object({ message_id: id, after_seq: z.number().int().min(0).default(0) });
export const resumeRequestSchema = z.union([
  resumeStream.strict(),
  z.object({ streams: z.array(resumeStream).max(100) }).strict(),
]);
export type ResumeRequest = z.infer<typeof resumeRequestSchema>;

/**
 * Every acknowledgement: `{ ok: true, ... }` or `{ ok: false, detail, code }`, with the same stable codes
 * as REST errors (`INVALID_INPUT`, `CHAT_NOT_FOUND`, `PERMISSION_DENIED`, ...).
 */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; detail: string; code: string };

/** A refusal acknowledgement. */
export function refusal(detail: string, code: string): { ok: false; detail: string; code: string } {
  return { ok: false, detail, code };
}
