import { z } from '@parley/config';

/**
 * The events this service handles, as code. docs/realtime-events.md is the reference for clients and
 * publishers; change both together, and bump `v` for a change that is not backwards compatible.
 */

const id = z.string().min(1).max(200);

/** `chat.created`, `chat.updated`, `chat.deleted`, `chat.title_set` (published by chat). */
export const chatEventSchema = z
  .object({
    v: z.literal(1),
    // `chat.deleted` with `all: true` (every chat of the user) has `id: null`.
    chat: z.object({ id: id.nullable(), user_id: id }).passthrough(),
  })
  .passthrough();
export type ChatEvent = z.infer<typeof chatEventSchema>;

/** NATS subject → Socket.IO event name; the payload is passed on unchanged. */
export const CHAT_EVENTS: Readonly<Record<string, string>> = {
  'chat.created': 'chat:created',
  'chat.updated': 'chat:updated',
  'chat.deleted': 'chat:deleted',
  'chat.title_set': 'chat:title',
};

/** `task.started`, `task.stopped` (published by model-gateway around a generation). */
export const taskEventSchema = z
  .object({
    v: z.literal(1),
    task: z
      .object({
        id,
        user_id: id,
        chat_id: id.optional(),
        message_id: id.optional(),
        model_id: id.optional(),
      })
      .passthrough(),
  })
  .passthrough();
export type TaskEvent = z.infer<typeof taskEventSchema>;

export const TASK_EVENTS: Readonly<Record<string, string>> = {
  'task.started': 'task:started',
  'task.stopped': 'task:stopped',
};

/** `completion.<message_id>`: one delta of a streaming answer (published by model-gateway). */
export const completionDeltaSchema = z.object({
  v: z.literal(1),
  user_id: id,
  chat_id: id,
  message_id: id,
  seq: z.number().int().min(1).max(1_000_000),
  delta: z.string().max(1_000_000),
  done: z.boolean(),
  error: z.string().max(10_000).optional(),
});
export type CompletionDelta = z.infer<typeof completionDeltaSchema>;

/** `chat:completion` on the socket: `content` is the text this event adds to the answer. */
export interface ChatCompletionEvent {
  v: 1;
  chat_id: string;
  message_id: string;
  seq: number;
  content: string;
  done: boolean;
  error?: string;
}

export function toChatCompletionEvent(delta: CompletionDelta): ChatCompletionEvent {
  return {
    v: 1,
    chat_id: delta.chat_id,
    message_id: delta.message_id,
    seq: delta.seq,
    content: delta.delta,
    done: delta.done,
    ...(delta.error === undefined ? {} : { error: delta.error }),
  };
}

/** Client → server: `chat:join` / `chat:leave`. */
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
