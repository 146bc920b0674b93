import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

const tags = ['tasks'] as const;
const chatId = z.object({ chat_id: z.string() });

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
});
