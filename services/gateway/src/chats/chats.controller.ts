import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { z } from '@parley/config';
import { DomainError, ErrorKind } from '@parley/errors';
import { chatV1 } from '@parley/proto';
import { DownstreamClients } from '../downstream/downstream-clients';
import { parseBody } from '../validation/parse-body';

const jsonObject = z.record(z.unknown(), {
  invalid_type_error: 'must be a JSON object',
  required_error: 'is required',
});
const newChatBody = z.object({ chat: jsonObject, folder_id: z.string().max(100).nullish() });
const updateChatBody = z.object({ chat: jsonObject });
const page = z.coerce
  .number({ invalid_type_error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be 1 or more')
  .max(100_000);
const flag = z
  .enum(['true', 'false'], { errorMap: () => ({ message: 'must be true or false' }) })
  .transform((v) => v === 'true')
  .optional();
const pageQuery = z.object({ page: page.default(1) });
const listQuery = z.object({ page: page.default(1), include_pinned: flag, include_folders: flag });
const searchQuery = z.object({
  text: z.string({ required_error: 'is required' }).max(1_000),
  page: page.default(1),
});
const tagBody = z.object({ name: z.string({ required_error: 'is required' }).max(1_000) });
const tagFilterBody = tagBody.extend({
  skip: z.number().int().min(0).max(1_000_000).default(0),
  limit: z.number().int().min(1).max(1_000).default(50),
});
const cloneBody = z.object({ title: z.string().max(10_000).nullish() });
const folderBody = z.object({ folder_id: z.string().max(100).nullish() });
const messageBody = z.object({
  parent_id: z.string().max(200).nullish(),
  message: jsonObject,
});
const contentBody = z.object({ content: z.string({ required_error: 'is required' }) });
const editBody = contentBody.extend({ id: z.string().max(200).nullish() });
const regenerateBody = z.object({ model: z.string().max(500).nullish(), id: z.string().max(200).nullish() });
const rateBody = z.object({
  rating: z.number({ required_error: 'is required' }).int().min(-1).max(1),
  comment: z.string().nullish(),
  reason: z.string().nullish(),
});
const switchBody = z.object({});
const importBody = z.union([
  z.object({ chats: z.array(jsonObject).max(100_000) }),
  z.array(jsonObject).max(100_000),
  z.object({ chat: jsonObject }).passthrough(),
]);

const nullIfEmpty = (value: string | undefined) => value || null;

/** Open WebUI's ChatResponse. */
export function chatJson(chat: chatV1.Chat | undefined) {
  const document = chat?.chatJson ? (JSON.parse(chat.chatJson) as Record<string, unknown>) : {};
  return {
    id: chat?.id ?? '',
    user_id: chat?.userId ?? '',
    title: chat?.title ?? '',
    chat: document,
    updated_at: Number(chat?.updatedAt ?? 0n),
    created_at: Number(chat?.createdAt ?? 0n),
    share_id: nullIfEmpty(chat?.shareId),
    archived: chat?.archived ?? false,
    pinned: chat?.pinned ?? false,
    meta: { tags: chat?.tags ?? [] },
    folder_id: nullIfEmpty(chat?.folderId),
  };
}

/** Open WebUI's ChatTitleIdResponse, plus what a sidebar row shows (so it asks nothing per row). */
export function summaryJson(c: chatV1.ChatSummary) {
  return {
    id: c.id,
    title: c.title,
    updated_at: Number(c.updatedAt),
    created_at: Number(c.createdAt),
    pinned: c.pinned,
    archived: c.archived,
    folder_id: nullIfEmpty(c.folderId),
    share_id: nullIfEmpty(c.shareId),
    tags: [...c.tags],
  };
}

export function tagJson(t: chatV1.Tag) {
  return { id: t.id, name: t.name, user_id: t.userId, meta: t.metaJson ? JSON.parse(t.metaJson) : null };
}

function messageResultJson(chatId: string, result: chatV1.MessageResult | undefined) {
  return {
    chat_id: chatId,
    message: result?.messageJson ? JSON.parse(result.messageJson) : null,
    current_id: nullIfEmpty(result?.currentId),
  };
}

/** Waits until the response can take more, so a slow reader holds back the export stream. */
function writeWithBackpressure(res: Response, text: string): Promise<void> {
  return new Promise((resolve) => (res.write(text) ? resolve() : res.once('drain', () => resolve())));
}

/**
 * Open WebUI's /api/v1/chats routes, plus Parley's message-tree routes under /{id}/messages. Fixed paths
 * come before /:id so that Nest matches them first.
 */
@Controller('api/v1/chats')
export class ChatsController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  private get chat() {
    return this.downstream.chat;
  }

  @Post('new')
  @HttpCode(200)
  async create(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const { chat, folder_id } = parseBody(newChatBody, body);
    const reply = await this.chat.createChat(
      {
        title: typeof chat.title === 'string' ? chat.title : '',
        chatJson: JSON.stringify(chat),
        folderId: folder_id ?? '',
      },
      { caller: req.caller },
    );
    return chatJson(reply.chat);
  }

  @Get()
  async list(@Query() query: unknown, @Req() req: AuthenticatedRequest) {
    const q = parseBody(listQuery, query);
    const reply = await this.chat.listChats(
      { page: q.page, includePinned: q.include_pinned ?? false, includeFolders: q.include_folders ?? false },
      { caller: req.caller },
    );
    return reply.chats.map(summaryJson);
  }

  @Get('list')
  listAlias(@Query() query: unknown, @Req() req: AuthenticatedRequest) {
    return this.list(query, req);
  }

  @Delete()
  async deleteAll(@Req() req: AuthenticatedRequest) {
    await this.chat.deleteAllChats({}, { caller: req.caller });
    return true;
  }

  @Get('search')
  async search(@Query() query: unknown, @Req() req: AuthenticatedRequest) {
    const q = parseBody(searchQuery, query);
    const reply = await this.chat.searchChats({ text: q.text, page: q.page }, { caller: req.caller });
    return reply.chats.map(summaryJson);
  }

  @Get('pinned')
  async pinned(@Req() req: AuthenticatedRequest) {
    const reply = await this.chat.listChats(
      { page: 0, scope: chatV1.ChatListScope.PINNED },
      { caller: req.caller },
    );
    return reply.chats.map(summaryJson);
  }

  /** Every chat of mine as NDJSON (one ChatResponse a line), streamed from the chat service. */
  @Get('all')
  async exportAll(@Req() req: AuthenticatedRequest, @Res() res: Response) {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const stream = this.chat.exportChats({}, { caller: req.caller, signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    // The first item (or error) decides the status, so a failure before any output is a clean 4xx/5xx.
    const first = await iterator.next();
    res.status(200).setHeader('content-type', 'application/x-ndjson');
    try {
      for (let item = first; !item.done; item = await iterator.next()) {
        await writeWithBackpressure(res, `${JSON.stringify(chatJson(item.value.chat))}\n`);
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
    res.end();
  }

  @Get('all/tags')
  async allTags(@Req() req: AuthenticatedRequest) {
    return (await this.chat.listTags({}, { caller: req.caller })).tags.map(tagJson);
  }

  @Get('archived')
  async archived(@Query() query: unknown, @Req() req: AuthenticatedRequest) {
    const { page: p } = parseBody(pageQuery, query);
    const reply = await this.chat.listChats(
      { page: p, scope: chatV1.ChatListScope.ARCHIVED },
      { caller: req.caller },
    );
    return reply.chats.map(summaryJson);
  }

  @Post('archive/all')
  @HttpCode(200)
  async archiveAll(@Req() req: AuthenticatedRequest) {
    await this.chat.archiveAllChats({ archived: true }, { caller: req.caller });
    return true;
  }

  @Post('unarchive/all')
  @HttpCode(200)
  async unarchiveAll(@Req() req: AuthenticatedRequest) {
    await this.chat.archiveAllChats({ archived: false }, { caller: req.caller });
    return true;
  }

  @Get('share/:share_id')
  async shared(@Param('share_id') shareId: string, @Req() req: AuthenticatedRequest) {
    const reply = await this.chat.getSharedChat({ shareId }, { caller: req.caller });
    return chatJson(reply.chat);
  }

  @Post('tags')
  @HttpCode(200)
  async byTag(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const { name, skip, limit } = parseBody(tagFilterBody, body);
    // The service pages by its fixed size; Open WebUI's skip/limit are applied over those pages.
    const found: chatV1.ChatSummary[] = [];
    for (let p = 1; found.length < skip + limit; p++) {
      const reply = await this.chat.listChats(
        { page: p, scope: chatV1.ChatListScope.TAG, tag: name },
        { caller: req.caller },
      );
      found.push(...reply.chats);
      if (!reply.chats.length) break;
    }
    return found.slice(skip, skip + limit).map(summaryJson);
  }

  @Get('folder/:folder_id/list')
  async folderList(
    @Param('folder_id') folderId: string,
    @Query() query: unknown,
    @Req() req: AuthenticatedRequest,
  ) {
    const { page: p } = parseBody(pageQuery, query);
    const reply = await this.chat.listChats(
      { page: p, scope: chatV1.ChatListScope.FOLDER, folderId },
      { caller: req.caller },
    );
    return reply.chats.map(summaryJson);
  }

  @Post('import')
  @HttpCode(200)
  async import(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const parsed = parseBody(importBody, body);
    const items: Array<Record<string, unknown>> = Array.isArray(parsed)
      ? parsed
      : 'chats' in parsed && Array.isArray(parsed.chats)
        ? (parsed.chats as Array<Record<string, unknown>>)
        : [parsed];
    const reply = await this.chat.importChats(
      { itemsJson: items.map((item) => JSON.stringify(item)) },
      { caller: req.caller },
    );
    return reply.chats.map(chatJson);
  }

  @Get(':id')
  async get(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    const reply = await this.chat.getChat({ chatId: id }, { caller: req.caller });
    return chatJson(reply.chat);
  }

  @Post(':id')
  @HttpCode(200)
  async update(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const { chat } = parseBody(updateChatBody, body);
    const reply = await this.chat.updateChat(
      { chatId: id, chatJson: JSON.stringify(chat) },
      { caller: req.caller },
    );
    return chatJson(reply.chat);
  }

  @Delete(':id')
  async delete(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    await this.chat.deleteChat({ chatId: id }, { caller: req.caller });
    return true;
  }

  @Get(':id/pinned')
  async isPinned(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    const reply = await this.chat.getChat({ chatId: id }, { caller: req.caller });
    return reply.chat?.pinned ?? false;
  }

  @Post(':id/pin')
  @HttpCode(200)
  async pin(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    await this.chat.setChatPinned({ chatId: id }, { caller: req.caller });
    return this.get(id, req);
  }

  @Post(':id/archive')
  @HttpCode(200)
  async archive(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    await this.chat.setChatArchived({ chatId: id }, { caller: req.caller });
    return this.get(id, req);
  }

  @Post(':id/clone')
  @HttpCode(200)
  async clone(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const { title } = parseBody(cloneBody, body);
    const reply = await this.chat.cloneChat({ chatId: id, title: title ?? '' }, { caller: req.caller });
    return chatJson(reply.chat);
  }

  @Post(':id/clone/shared')
  @HttpCode(200)
  async cloneShared(@Param('id') shareId: string, @Req() req: AuthenticatedRequest) {
    const reply = await this.chat.cloneSharedChat({ shareId }, { caller: req.caller });
    return chatJson(reply.chat);
  }

  @Post(':id/share')
  @HttpCode(200)
  async share(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    const reply = await this.chat.shareChat({ chatId: id }, { caller: req.caller });
    return chatJson(reply.chat);
  }

  @Delete(':id/share')
  async unshare(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    return (await this.chat.unshareChat({ chatId: id }, { caller: req.caller })).wasShared;
  }

  @Post(':id/folder')
  @HttpCode(200)
  async moveToFolder(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const { folder_id } = parseBody(folderBody, body);
    await this.chat.moveChatToFolder({ chatId: id, folderId: folder_id ?? '' }, { caller: req.caller });
    return this.get(id, req);
  }

  @Get(':id/tags')
  async tags(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    return (await this.chat.getChatTags({ chatId: id }, { caller: req.caller })).tags.map(tagJson);
  }

  @Post(':id/tags')
  @HttpCode(200)
  async addTag(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const { name } = parseBody(tagBody, body);
    return (await this.chat.addChatTag({ chatId: id, name }, { caller: req.caller })).tags.map(tagJson);
  }

  @Delete(':id/tags')
  async removeTag(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const { name } = parseBody(tagBody, body);
    return (await this.chat.removeChatTag({ chatId: id, name }, { caller: req.caller })).tags.map(tagJson);
  }

  // --- the message tree (Parley; Open WebUI's UI rewrites the whole chat instead) ---

  @Post(':id/messages')
  @HttpCode(200)
  async addMessage(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const { parent_id, message } = parseBody(messageBody, body);
    const reply = await this.chat.addMessage(
      { chatId: id, parentId: parent_id ?? '', messageJson: JSON.stringify(message) },
      { caller: req.caller },
    );
    return messageResultJson(id, reply.result);
  }

  /** Open WebUI's route: replaces a message's content and answers the whole chat. */
  @Post(':id/messages/:message_id')
  @HttpCode(200)
  async setMessageContent(
    @Param('id') id: string,
    @Param('message_id') messageId: string,
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest,
  ) {
    const { content } = parseBody(contentBody, body);
    await this.chat.updateMessageContent(
      { chatId: id, messageId, content, partial: false },
      { caller: req.caller },
    );
    return this.get(id, req);
  }

  @Post(':id/messages/:message_id/edit')
  @HttpCode(200)
  async editMessage(
    @Param('id') id: string,
    @Param('message_id') messageId: string,
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest,
  ) {
    const { content, id: newId } = parseBody(editBody, body);
    const reply = await this.chat.editMessage(
      { chatId: id, messageId, content, newMessageId: newId ?? '' },
      { caller: req.caller },
    );
    return messageResultJson(id, reply.result);
  }

  @Post(':id/messages/:message_id/regenerate')
  @HttpCode(200)
  async regenerate(
    @Param('id') id: string,
    @Param('message_id') messageId: string,
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest,
  ) {
    const { model, id: newId } = parseBody(regenerateBody, body);
    const reply = await this.chat.regenerateMessage(
      { chatId: id, messageId, model: model ?? '', newMessageId: newId ?? '' },
      { caller: req.caller },
    );
    return messageResultJson(id, reply.result);
  }

  @Post(':id/messages/:message_id/switch')
  @HttpCode(200)
  async switchBranch(
    @Param('id') id: string,
    @Param('message_id') messageId: string,
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest,
  ) {
    parseBody(switchBody, body);
    const reply = await this.chat.switchBranch({ chatId: id, messageId }, { caller: req.caller });
    return { chat_id: id, current_id: nullIfEmpty(reply.currentId) };
  }

  @Post(':id/messages/:message_id/rate')
  @HttpCode(200)
  async rate(
    @Param('id') id: string,
    @Param('message_id') messageId: string,
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest,
  ) {
    const { rating, comment, reason } = parseBody(rateBody, body);
    const reply = await this.chat.rateMessage(
      { chatId: id, messageId, rating, comment: comment ?? '', reason: reason ?? '' },
      { caller: req.caller },
    );
    return messageResultJson(id, reply.result);
  }

  @Delete(':id/messages/:message_id')
  async deleteMessage(
    @Param('id') id: string,
    @Param('message_id') messageId: string,
    @Req() req: AuthenticatedRequest,
  ) {
    if (!messageId) throw new DomainError(ErrorKind.InvalidArgument, 'message_id is required');
    const reply = await this.chat.deleteMessage({ chatId: id, messageId }, { caller: req.caller });
    return { chat_id: id, current_id: nullIfEmpty(reply.currentId), deleted: reply.deleted };
  }
}
