import { jsonObject, ok, pagedHeaders, pageNumber, queryFlag, timestamp } from '../contract/common-schemas';
import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

/**
 * Most chats one import may carry; the chat service's CHAT_IMPORT_MAX_CHATS (at most 100,000) is the
 * real limit and answers a clear error when smaller. This only bounds what the gateway parses.
 */
export const IMPORT_MAX_CHATS = 100_000;

const tags = ['chats'] as const;
const nullableId = (max: number) => z.string().max(max).nullish();

/** Open WebUI's ChatTitleIdResponse, plus what a sidebar row shows (so it asks nothing per row). */
export const chatListItem = z
  .object({
    id: z.string(),
    title: z.string(),
    updated_at: timestamp,
    created_at: timestamp,
    pinned: z.boolean(),
    archived: z.boolean(),
    folder_id: z.string().nullable(),
    share_id: z.string().nullable(),
    tags: z.array(z.string()).openapi({ description: 'Tag names' }),
  })
  .openapi('ChatListItem');

/**
 * What an answer grounded in documents cites (Open WebUI's `sources`; docs/retrieval.md): where the
 * chunks came from, the chunks, their metadata and scores. Lenient: imports carry older shapes.
 */
export const answerSource = z
  .object({
    source: z
      .object({ type: z.string().optional(), id: z.string().optional(), name: z.string().optional() })
      .passthrough()
      .optional(),
    document: z.array(z.string()).optional(),
    metadata: z
      .array(
        z
          .object({
            file_id: z.string().optional(),
            name: z.string().optional(),
            page: z.number().optional(),
            heading: z.string().optional(),
            knowledge_base_id: z.string().optional(),
            score: z.number().optional(),
          })
          .passthrough(),
      )
      .optional(),
    distances: z.array(z.number()).optional(),
  })
  .passthrough()
  .openapi('AnswerSource');

/** A message of Open WebUI's `chat.history` tree, as the chat service keeps it. */
export const chatMessage = z
  .object({
    id: z.string(),
    parentId: z.string().nullable(),
    childrenIds: z.array(z.string()),
    role: z.string().openapi({ description: 'user, assistant or system' }),
    content: z.string(),
    model: z.string().optional(),
    done: z.boolean().optional(),
    error: z.object({ content: z.string().optional() }).passthrough().nullable().optional(),
    timestamp: z.number().optional(),
    annotation: z.object({ rating: z.number().optional() }).passthrough().nullable().optional(),
    sources: z.array(answerSource).optional().openapi({ description: 'What the answer cites' }),
  })
  .passthrough()
  .openapi('ChatMessage');

/** Open WebUI's chat document; fields beyond these are kept as the client sent them. */
export const chatDocument = z
  .object({
    title: z.string().optional(),
    history: z.object({ messages: z.record(chatMessage), currentId: z.string().nullable() }).optional(),
    models: z.array(z.string()).optional(),
  })
  .passthrough()
  .openapi('ChatDocument');

/** Open WebUI's ChatResponse; `chat` is the chat document (title, messages, history, ...). */
export const chatResponse = z
  .object({
    id: z.string(),
    user_id: z.string(),
    title: z.string(),
    chat: chatDocument,
    updated_at: timestamp,
    created_at: timestamp,
    share_id: z.string().nullable(),
    archived: z.boolean(),
    pinned: z.boolean(),
    meta: z.object({ tags: z.array(z.string()) }),
    folder_id: z.string().nullable(),
  })
  .openapi('ChatResponse');

export const tag = z
  .object({ id: z.string(), name: z.string(), user_id: z.string(), meta: z.unknown() })
  .openapi('Tag');

const messageResult = z
  .object({ chat_id: z.string(), message: chatMessage.nullable(), current_id: z.string().nullable() })
  .openapi('MessageResult');

const chatList = (description: string) => ({
  200: { description, schema: z.array(chatListItem), headers: pagedHeaders },
});
const oneChat = (description: string) => ({ 200: { description, schema: chatResponse } });
const chatTags = { 200: { description: 'The tags', schema: z.array(tag) } };
const done = { 200: { description: 'Done', schema: ok } };

const pageQuery = z.object({ page: pageNumber.default(1) });
const listQuery = pageQuery.extend({
  include_pinned: queryFlag.optional(),
  include_folders: queryFlag.optional(),
});
const tagName = z.object({ name: z.string({ required_error: 'is required' }).max(1_000) });
const chatId = z.object({ id: z.string() });
const messageParams = z.object({ id: z.string(), message_id: z.string() });
const contentBody = z.object({ content: z.string({ required_error: 'is required' }) });

export const chatsContract = defineRoutes({
  create: defineRoute({
    method: 'post',
    path: '/api/v1/chats/new',
    summary: 'Create a chat',
    tags,
    auth: 'user',
    body: z.object({ chat: jsonObject, folder_id: nullableId(100) }),
    responses: oneChat('The new chat'),
  }),
  list: defineRoute({
    method: 'get',
    path: '/api/v1/chats/',
    summary: 'List my chats, newest first, a page at a time',
    tags,
    auth: 'user',
    query: listQuery,
    responses: chatList('A page of chats'),
  }),
  listAlias: defineRoute({
    method: 'get',
    path: '/api/v1/chats/list',
    summary: 'List my chats (Open WebUI alias of /api/v1/chats/)',
    tags,
    auth: 'user',
    query: listQuery,
    responses: chatList('A page of chats'),
  }),
  deleteAll: defineRoute({
    method: 'delete',
    path: '/api/v1/chats/',
    summary: 'Delete all my chats',
    tags,
    auth: 'user',
    responses: done,
  }),
  search: defineRoute({
    method: 'get',
    path: '/api/v1/chats/search',
    summary: 'Search my chats (words plus tag:, folder:, pinned:, archived: filters)',
    tags,
    auth: 'user',
    query: z.object({
      text: z.string({ required_error: 'is required' }).max(1_000),
      page: pageNumber.default(1),
    }),
    responses: chatList('A page of matching chats'),
  }),
  pinned: defineRoute({
    method: 'get',
    path: '/api/v1/chats/pinned',
    summary: 'My pinned chats (all of them)',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The pinned chats', schema: z.array(chatListItem) } },
  }),
  exportAll: defineRoute({
    method: 'get',
    path: '/api/v1/chats/all',
    summary: 'Export every chat of mine',
    description: 'NDJSON: one ChatResponse a line, streamed.',
    tags,
    auth: 'user',
    responses: { 200: { description: 'One ChatResponse a line', contentType: 'application/x-ndjson' } },
  }),
  allTags: defineRoute({
    method: 'get',
    path: '/api/v1/chats/all/tags',
    summary: 'Every tag of mine',
    tags,
    auth: 'user',
    responses: chatTags,
  }),
  archived: defineRoute({
    method: 'get',
    path: '/api/v1/chats/archived',
    summary: 'My archived chats, a page at a time',
    tags,
    auth: 'user',
    query: pageQuery,
    responses: chatList('A page of archived chats'),
  }),
  allArchived: defineRoute({
    method: 'get',
    path: '/api/v1/chats/all/archived',
    summary: 'Every archived chat of mine, whole',
    tags,
    auth: 'user',
    responses: { 200: { description: 'The archived chats', schema: z.array(chatResponse) } },
  }),
  ofUser: defineRoute({
    method: 'get',
    path: '/api/v1/chats/list/user/{user_id}',
    summary: "A user's chats, archived ones included, a page at a time (admin, ENABLE_ADMIN_CHAT_ACCESS)",
    tags,
    auth: 'admin',
    params: z.object({ user_id: z.string() }),
    query: pageQuery,
    responses: chatList('A page of chats'),
  }),
  folderChats: defineRoute({
    method: 'get',
    path: '/api/v1/chats/folder/{folder_id}',
    summary: 'The chats in a folder and its subfolders, whole',
    tags,
    auth: 'user',
    params: z.object({ folder_id: z.string() }),
    responses: { 200: { description: 'The chats', schema: z.array(chatResponse) } },
  }),
  archiveAll: defineRoute({
    method: 'post',
    path: '/api/v1/chats/archive/all',
    summary: 'Archive all my chats',
    tags,
    auth: 'user',
    responses: done,
  }),
  unarchiveAll: defineRoute({
    method: 'post',
    path: '/api/v1/chats/unarchive/all',
    summary: 'Unarchive all my chats',
    tags,
    auth: 'user',
    responses: done,
  }),
  shared: defineRoute({
    method: 'get',
    path: '/api/v1/chats/share/{share_id}',
    summary: 'A chat someone shared',
    tags,
    auth: 'user',
    params: z.object({ share_id: z.string() }),
    responses: oneChat('The shared chat'),
  }),
  byTag: defineRoute({
    method: 'post',
    path: '/api/v1/chats/tags',
    summary: 'My chats with a tag (skip/limit over the list)',
    tags,
    auth: 'user',
    body: tagName.extend({
      skip: z.number().int().min(0).max(1_000_000).default(0),
      limit: z.number().int().min(1).max(1_000).default(50),
    }),
    responses: { 200: { description: 'The chats', schema: z.array(chatListItem) } },
  }),
  folderList: defineRoute({
    method: 'get',
    path: '/api/v1/chats/folder/{folder_id}/list',
    summary: 'The chats in a folder (not its subfolders, as Open WebUI), a page at a time',
    tags,
    auth: 'user',
    params: z.object({ folder_id: z.string() }),
    query: pageQuery,
    responses: chatList('A page of chats'),
  }),
  import: defineRoute({
    method: 'post',
    path: '/api/v1/chats/import',
    summary: 'Import chats (Open WebUI export, a list of chats or one chat)',
    tags,
    auth: 'user',
    body: z.union([
      z.object({ chats: z.array(jsonObject).max(IMPORT_MAX_CHATS) }),
      z.array(jsonObject).max(IMPORT_MAX_CHATS),
      z.object({ chat: jsonObject }).passthrough(),
    ]),
    responses: { 200: { description: 'The imported chats', schema: z.array(chatResponse) } },
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/v1/chats/{id}',
    summary: 'A chat of mine (or one I may read)',
    tags,
    auth: 'user',
    params: chatId,
    responses: oneChat('The chat'),
  }),
  update: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}',
    summary: 'Replace a chat document',
    tags,
    auth: 'user',
    params: chatId,
    body: z.object({ chat: jsonObject }),
    responses: oneChat('The chat'),
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/api/v1/chats/{id}',
    summary: 'Delete a chat',
    tags,
    auth: 'user',
    params: chatId,
    responses: done,
  }),
  isPinned: defineRoute({
    method: 'get',
    path: '/api/v1/chats/{id}/pinned',
    summary: 'Whether a chat is pinned',
    tags,
    auth: 'user',
    params: chatId,
    responses: { 200: { description: 'true when pinned', schema: z.boolean() } },
  }),
  pin: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/pin',
    summary: 'Toggle whether a chat is pinned',
    tags,
    auth: 'user',
    params: chatId,
    responses: oneChat('The chat'),
  }),
  archive: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/archive',
    summary: 'Toggle whether a chat is archived',
    tags,
    auth: 'user',
    params: chatId,
    responses: oneChat('The chat'),
  }),
  clone: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/clone',
    summary: 'Copy a chat',
    tags,
    auth: 'user',
    params: chatId,
    body: z.object({ title: z.string().max(10_000).nullish() }),
    responses: oneChat('The copy'),
  }),
  cloneShared: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/clone/shared',
    summary: 'Copy a shared chat into my chats (id is the share id)',
    tags,
    auth: 'user',
    params: chatId,
    responses: oneChat('The copy'),
  }),
  share: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/share',
    summary: 'Share a chat (gives it a share id)',
    description:
      "As Open WebUI's answer, `id` is the share id (its share dialog links to `/s/{id}`); `share_id` holds it too.",
    tags,
    auth: 'user',
    params: chatId,
    responses: oneChat('The shared chat, with the share id as its id'),
  }),
  unshare: defineRoute({
    method: 'delete',
    path: '/api/v1/chats/{id}/share',
    summary: 'Stop sharing a chat',
    tags,
    auth: 'user',
    params: chatId,
    responses: { 200: { description: 'Whether it was shared', schema: z.boolean() } },
  }),
  moveToFolder: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/folder',
    summary: 'Move a chat into a folder (null: out of any)',
    tags,
    auth: 'user',
    params: chatId,
    body: z.object({ folder_id: nullableId(100) }),
    responses: oneChat('The chat'),
  }),
  tags: defineRoute({
    method: 'get',
    path: '/api/v1/chats/{id}/tags',
    summary: "A chat's tags",
    tags,
    auth: 'user',
    params: chatId,
    responses: chatTags,
  }),
  addTag: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/tags',
    summary: 'Tag a chat',
    tags,
    auth: 'user',
    params: chatId,
    body: tagName,
    responses: chatTags,
  }),
  removeTag: defineRoute({
    method: 'delete',
    path: '/api/v1/chats/{id}/tags',
    summary: 'Untag a chat',
    tags,
    auth: 'user',
    params: chatId,
    body: tagName,
    responses: chatTags,
  }),
  addMessage: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/messages',
    summary: 'Add a message to the message tree (Parley)',
    tags,
    auth: 'user',
    params: chatId,
    body: z.object({ parent_id: nullableId(200), message: jsonObject }),
    responses: { 200: { description: 'The message and the new current id', schema: messageResult } },
  }),
  setMessageContent: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/messages/{message_id}',
    summary: "Replace a message's content (Open WebUI)",
    tags,
    auth: 'user',
    params: messageParams,
    body: contentBody,
    responses: oneChat('The chat'),
  }),
  editMessage: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/messages/{message_id}/edit',
    summary: 'Edit a message as a new sibling branch (Parley)',
    tags,
    auth: 'user',
    params: messageParams,
    body: contentBody.extend({ id: nullableId(200) }),
    responses: { 200: { description: 'The new message', schema: messageResult } },
  }),
  regenerate: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/messages/{message_id}/regenerate',
    summary: 'Add a sibling answer to regenerate (Parley)',
    tags,
    auth: 'user',
    params: messageParams,
    body: z.object({ model: z.string().max(500).nullish(), id: nullableId(200) }),
    responses: { 200: { description: 'The new answer message', schema: messageResult } },
  }),
  switchBranch: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/messages/{message_id}/switch',
    summary: 'Make a message the current branch (Parley)',
    tags,
    auth: 'user',
    params: messageParams,
    body: z.object({}),
    responses: {
      200: {
        description: 'The new current id',
        schema: z.object({ chat_id: z.string(), current_id: z.string().nullable() }),
      },
    },
  }),
  rate: defineRoute({
    method: 'post',
    path: '/api/v1/chats/{id}/messages/{message_id}/rate',
    summary: 'Rate an answer (Parley)',
    tags,
    auth: 'user',
    params: messageParams,
    body: z.object({
      rating: z.number({ required_error: 'is required' }).int().min(-1).max(1),
      comment: z.string().nullish(),
      reason: z.string().nullish(),
    }),
    responses: { 200: { description: 'The rated message', schema: messageResult } },
  }),
  deleteMessage: defineRoute({
    method: 'delete',
    path: '/api/v1/chats/{id}/messages/{message_id}',
    summary: 'Delete a message and its descendants (Parley)',
    tags,
    auth: 'user',
    params: messageParams,
    responses: {
      200: {
        description: 'What was deleted and the new current id',
        schema: z.object({
          chat_id: z.string(),
          current_id: z.string().nullable(),
          deleted: z.number().int().openapi({ description: 'How many messages were deleted' }),
        }),
      },
    },
  }),
});
