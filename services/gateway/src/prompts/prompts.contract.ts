import { accessControl, ok, timestamp } from '../contract/common-schemas';
import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';
import { promptForm } from './prompt-json';

// Open WebUI's /api/v1/prompts routes over the model gateway's PromptsService. Who may read and change a
// prompt is the model gateway's decision; one the caller may not read is a 404.

const tags = ['prompts'] as const;
/** The command in a path, without its "/" (as Open WebUI's frontend puts it there). */
const commandParam = z.object({ command: z.string().max(200, 'must be at most 200 characters') });

/** Open WebUI's PromptModel, with write_access. */
export const prompt = z
  .object({
    command: z.string().openapi({ description: 'With its leading "/"' }),
    user_id: z.string(),
    title: z.string(),
    content: z.string(),
    timestamp,
    access_control: accessControl,
    write_access: z.boolean(),
  })
  .openapi('Prompt');

/** Open WebUI's PromptUserResponse: the prompt with its owner's public profile (null when unknown). */
export const promptWithUser = prompt
  .extend({
    user: z.object({ id: z.string(), name: z.string(), profile_image_url: z.string() }).nullable(),
  })
  .openapi('PromptWithUser');

const form = promptForm.openapi('PromptForm');
const onePrompt = { 200: { description: 'The prompt', schema: prompt } };

export const promptsContract = defineRoutes({
  list: defineRoute({
    method: 'get',
    path: '/api/v1/prompts/',
    summary: 'The prompts I may use, newest first',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The prompts', schema: z.array(prompt) } },
  }),
  listWritable: defineRoute({
    method: 'get',
    path: '/api/v1/prompts/list',
    summary: 'The prompts I may change, with their owners',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The prompts', schema: z.array(promptWithUser) } },
  }),
  create: defineRoute({
    method: 'post',
    path: '/api/v1/prompts/create',
    summary: 'Save a prompt under a new command (workspace.prompts)',
    tags,
    auth: 'user',
    body: form,
    responses: onePrompt,
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/v1/prompts/command/{command}',
    summary: 'A prompt',
    tags,
    auth: 'user',
    params: commandParam,
    responses: onePrompt,
  }),
  update: defineRoute({
    method: 'post',
    path: '/api/v1/prompts/command/{command}/update',
    summary: "Change a prompt's title, content and access control",
    tags,
    auth: 'user',
    params: commandParam,
    body: form,
    responses: onePrompt,
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/api/v1/prompts/command/{command}/delete',
    summary: 'Delete a prompt',
    tags,
    auth: 'user',
    params: commandParam,
    responses: { 200: { description: 'Deleted', schema: ok } },
  }),
});
