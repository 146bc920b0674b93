import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

const tags = ['completions'] as const;

/** OpenAI's chat completion request; fields beyond these pass on to the upstream as they are. */
export const completionBody = z
  .object({
    model: z.string({ invalid_type_error: 'must be a model id' }).min(1, 'must not be empty'),
    messages: z
      .array(z.record(z.unknown()), { invalid_type_error: 'must be an array of messages' })
      .min(1, 'must not be empty'),
    stream: z.boolean({ invalid_type_error: 'must be true or false' }).optional(),
    // A completion that belongs to a chat runs as a task (docs/chat-tasks.md): the answer goes into
    // message `id` under `parent_id`, its deltas to the user's sockets; the reply is the task id.
    chat_id: z.string({ invalid_type_error: 'must be a chat id' }).min(1, 'must not be empty').optional(),
    id: z.string({ invalid_type_error: 'must be the new answer message id' }).optional(),
    parent_id: z.string({ invalid_type_error: 'must be a message id' }).nullish(),
    session_id: z.string({ invalid_type_error: 'must be a socket session id' }).nullish(),
  })
  .passthrough()
  .openapi('ChatCompletionRequest');

const responses = {
  200: {
    description:
      "OpenAI's chat completion JSON; with stream: true, SSE `data:` chunks ending in `data: [DONE]`; " +
      'with chat_id, `{status: true, task_id}` at once (the answer goes to the chat)',
    schema: z.union([
      z.object({ status: z.literal(true), task_id: z.string() }).openapi('CompletionStarted'),
      z.record(z.unknown()).openapi({ description: "OpenAI's chat.completion object" }),
    ]),
  },
};

export const completionsContract = defineRoutes({
  create: defineRoute({
    method: 'post',
    path: '/api/chat/completions',
    summary: 'A chat completion (OpenAI-compatible), streamed or whole',
    tags,
    auth: 'user',
    body: completionBody,
    responses,
  }),
  createV1: defineRoute({
    method: 'post',
    path: '/api/v1/chat/completions',
    summary: 'A chat completion (alias of /api/chat/completions)',
    tags,
    auth: 'user',
    body: completionBody,
    responses,
  }),
});
