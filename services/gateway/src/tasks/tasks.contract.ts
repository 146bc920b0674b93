import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

const tags = ['tasks'] as const;
const chatId = z.object({ chat_id: z.string() });

/** What Open WebUI's frontend sends to a task route (src/lib/apis/index.ts). */
export const taskForm = z
  .object({
    model: z.string().min(1, 'is required: the model of the conversation').max(256),
    messages: z.array(z.record(z.unknown())).max(200, 'at most 200 messages').default([]),
    chat_id: z.string().max(100).nullish(),
    prompt: z.string().max(20_000, 'must be at most 20000 characters').default(''),
    type: z.string().max(50).default(''),
  })
  .passthrough()
  .openapi('TaskForm');

/** The task model's chat completion (OpenAI's shape), or `{detail}` when the admin switched the task off. */
const taskAnswer = {
  200: {
    description:
      'The chat completion: its message content holds the JSON the task asks for; `{"detail": "..."}` when the task is off',
    schema: z.record(z.unknown()).openapi('TaskCompletion'),
  },
};

const taskRoute = <P extends string>(path: P, summary: string) =>
  defineRoute({ method: 'post', path, summary, tags, auth: 'user', body: taskForm, responses: taskAnswer });

const taskConfig = z.record(z.unknown()).openapi('TaskConfig', {
  description: "TASK_MODEL, TASK_MODEL_EXTERNAL, ENABLE_*_GENERATION, *_PROMPT_TEMPLATE (Open WebUI's names)",
});

export const tasksContract = defineRoutes({
  stop: defineRoute({
    method: 'post',
    path: '/api/tasks/stop/{task_id}',
    summary: 'Stop a completion running in the background',
    tags,
    auth: 'user',
    params: z.object({ task_id: z.string() }),
    responses: {
      200: { description: 'Stopping', schema: z.object({ status: z.boolean(), message: z.string() }) },
    },
  }),
  list: defineRoute({
    method: 'get',
    path: '/api/tasks/chat/{chat_id}',
    summary: "A chat's running tasks",
    tags,
    auth: 'user',
    params: chatId,
    responses: { 200: { description: 'The task ids', schema: z.object({ task_ids: z.array(z.string()) }) } },
  }),
  stopChat: defineRoute({
    method: 'post',
    path: '/api/tasks/chat/{chat_id}/stop',
    summary: "Stop a chat's running tasks",
    tags,
    auth: 'user',
    params: chatId,
    responses: {
      200: {
        description: 'The stopped task ids',
        schema: z.object({ status: z.boolean(), task_ids: z.array(z.string()) }),
      },
    },
  }),
  config: defineRoute({
    method: 'get',
    path: '/api/v1/tasks/config',
    summary: 'The task settings: task models, which tasks are on, their prompt templates',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The settings', schema: taskConfig } },
  }),
  updateConfig: defineRoute({
    method: 'post',
    path: '/api/v1/tasks/config/update',
    summary: 'Change task settings (admin); every copy applies them at once',
    tags,
    auth: 'admin',
    body: z.record(z.unknown()),
    responses: { 200: { description: 'The settings after the change', schema: taskConfig } },
  }),
  title: taskRoute('/api/v1/tasks/title/completions', 'A title for a conversation ({"title": ...})'),
  tags: taskRoute('/api/v1/tasks/tags/completions', 'Topic tags for a conversation ({"tags": [...]})'),
  followUps: taskRoute(
    '/api/v1/tasks/follow_up/completions',
    'Questions the user might ask next ({"follow_ups": [...]})',
  ),
  queries: taskRoute(
    '/api/v1/tasks/queries/completions',
    'Search queries for the last message (type web_search or retrieval; {"queries": [...]})',
  ),
  autocomplete: taskRoute(
    '/api/v1/tasks/auto/completions',
    'The likely continuation of the text being typed ({"text": ...})',
  ),
  emoji: taskRoute('/api/v1/tasks/emoji/completions', 'One emoji for a text'),
});
