import { Controller, Inject, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { chatV1 } from '@parley/proto';
import { PAGE_SIZE_HEADER } from '../contract/common-schemas';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { writeWithBackpressure } from '../contract/streamed-response';
import { DownstreamClients } from '../downstream/downstream-clients';
import { chatJson, messageResultJson, nullIfEmpty, summaryJson, tagJson } from './chat-json';
import { chatsContract as c } from './chats.contract';

/** A page of a paged list: the body stays Open WebUI's bare array, the page size goes in a header. */
function page(res: Response, reply: { chats: chatV1.ChatSummary[]; pageSize: number }) {
  if (reply.pageSize > 0) res.setHeader(PAGE_SIZE_HEADER, String(reply.pageSize));
  return reply.chats.map(summaryJson);
}

/** At most this many pages of a folder are read whole by /chats/folder/{id}. */
const FOLDER_PAGES_LIMIT = 100;

/** A folder's id and those of every folder below it, parents first (cycles cannot loop). */
function withDescendants(rootId: string, folders: chatV1.Folder[]): string[] {
  const ids = [rootId];
  for (let i = 0; i < ids.length; i++)
    for (const folder of folders)
      if (folder.parentId === ids[i] && !ids.includes(folder.id)) ids.push(folder.id);
  return ids;
}

/**
 * Open WebUI's /api/v1/chats routes, plus Parley's message-tree routes under /{id}/messages (contracts in
 * chats.contract.ts). Fixed paths come before /{id} so that Nest matches them first.
 */
@Controller()
export class ChatsController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  private get chat() {
    return this.downstream.chat;
  }

  @Route(c.create)
  async create(
    @RouteInput() { body }: Input<typeof c.create>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.create>> {
    const reply = await this.chat.createChat(
      {
        title: typeof body.chat.title === 'string' ? body.chat.title : '',
        chatJson: JSON.stringify(body.chat),
        folderId: body.folder_id ?? '',
      },
      { caller: req.caller },
    );
    return chatJson(reply.chat);
  }

  @Route(c.list, c.listAlias)
  async list(
    @RouteInput() { query }: Input<typeof c.list>,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Result<typeof c.list>> {
    const reply = await this.chat.listChats(
      {
        page: query.page,
        includePinned: query.include_pinned ?? false,
        includeFolders: query.include_folders ?? false,
      },
      { caller: req.caller },
    );
    return page(res, reply);
  }

  @Route(c.deleteAll)
  async deleteAll(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.deleteAll>> {
    await this.chat.deleteAllChats({}, { caller: req.caller });
    return true;
  }

  @Route(c.search)
  async search(
    @RouteInput() { query }: Input<typeof c.search>,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Result<typeof c.search>> {
    return page(res, await this.chat.searchChats(query, { caller: req.caller }));
  }

  @Route(c.pinned)
  async pinned(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.pinned>> {
    const reply = await this.chat.listChats(
      { page: 0, scope: chatV1.ChatListScope.PINNED },
      { caller: req.caller },
    );
    return reply.chats.map(summaryJson);
  }

  /** Every chat of mine as NDJSON (one ChatResponse a line), streamed from the chat service. */
  @Route(c.exportAll)
  async exportAll(@Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
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

  @Route(c.allTags)
  async allTags(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.allTags>> {
    return (await this.chat.listTags({}, { caller: req.caller })).tags.map(tagJson);
  }

  @Route(c.archived)
  async archived(
    @RouteInput() { query }: Input<typeof c.archived>,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Result<typeof c.archived>> {
    const reply = await this.chat.listChats(
      { page: query.page, scope: chatV1.ChatListScope.ARCHIVED },
      { caller: req.caller },
    );
    return page(res, reply);
  }

  /** Every archived chat, whole (Open WebUI's /all/archived): read from the export stream. */
  @Route(c.allArchived)
  async allArchived(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.allArchived>> {
    const archived: Result<typeof c.allArchived> = [];
    for await (const item of this.chat.exportChats({}, { caller: req.caller }))
      if (item.chat?.archived) archived.push(chatJson(item.chat));
    return archived;
  }

  @Route(c.ofUser)
  async ofUser(
    @RouteInput() { params, query }: Input<typeof c.ofUser>,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Result<typeof c.ofUser>> {
    const reply = await this.chat.listUserChats(
      { userId: params.user_id, page: query.page },
      { caller: req.caller },
    );
    return page(res, reply);
  }

  /** The chats of a folder and its subfolders, whole (Open WebUI's /folder/{id}): each folder's pages, then each chat. */
  @Route(c.folderChats)
  async folderChats(
    @RouteInput() { params }: Input<typeof c.folderChats>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.folderChats>> {
    const { folders } = await this.chat.listFolders({}, { caller: req.caller });
    const chats: Result<typeof c.folderChats> = [];
    // A folder that is not the caller's is "not found" from the list call on it.
    for (const folderId of withDescendants(params.folder_id, folders)) {
      for (let p = 1; p <= FOLDER_PAGES_LIMIT; p++) {
        const reply = await this.chat.listChats(
          { page: p, scope: chatV1.ChatListScope.FOLDER, folderId },
          { caller: req.caller },
        );
        chats.push(...(await Promise.all(reply.chats.map((summary) => this.chatById(summary.id, req)))));
        if (reply.chats.length < reply.pageSize || !reply.chats.length) break;
      }
    }
    return chats;
  }

  @Route(c.archiveAll)
  async archiveAll(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.archiveAll>> {
    await this.chat.archiveAllChats({ archived: true }, { caller: req.caller });
    return true;
  }

  @Route(c.unarchiveAll)
  async unarchiveAll(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.unarchiveAll>> {
    await this.chat.archiveAllChats({ archived: false }, { caller: req.caller });
    return true;
  }

  @Route(c.shared)
  async shared(
    @RouteInput() { params }: Input<typeof c.shared>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.shared>> {
    const reply = await this.chat.getSharedChat({ shareId: params.share_id }, { caller: req.caller });
    return chatJson(reply.chat);
  }

  @Route(c.byTag)
  async byTag(
    @RouteInput() { body }: Input<typeof c.byTag>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.byTag>> {
    const { name, skip, limit } = body;
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

  @Route(c.folderList)
  async folderList(
    @RouteInput() { params, query }: Input<typeof c.folderList>,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Result<typeof c.folderList>> {
    const reply = await this.chat.listChats(
      { page: query.page, scope: chatV1.ChatListScope.FOLDER, folderId: params.folder_id },
      { caller: req.caller },
    );
    return page(res, reply);
  }

  @Route(c.import)
  async import(
    @RouteInput() { body }: Input<typeof c.import>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.import>> {
    const items: Array<Record<string, unknown>> = Array.isArray(body)
      ? body
      : 'chats' in body && Array.isArray(body.chats)
        ? (body.chats as Array<Record<string, unknown>>)
        : [body];
    const reply = await this.chat.importChats(
      { itemsJson: items.map((item) => JSON.stringify(item)) },
      { caller: req.caller },
    );
    return reply.chats.map(chatJson);
  }

  @Route(c.get)
  async get(
    @RouteInput() { params }: Input<typeof c.get>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.get>> {
    return this.chatById(params.id, req);
  }

  private async chatById(id: string, req: AuthenticatedRequest) {
    const reply = await this.chat.getChat({ chatId: id }, { caller: req.caller });
    return chatJson(reply.chat);
  }

  @Route(c.update)
  async update(
    @RouteInput() { params, body }: Input<typeof c.update>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.update>> {
    const reply = await this.chat.updateChat(
      { chatId: params.id, chatJson: JSON.stringify(body.chat) },
      { caller: req.caller },
    );
    return chatJson(reply.chat);
  }

  @Route(c.delete)
  async delete(
    @RouteInput() { params }: Input<typeof c.delete>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.delete>> {
    await this.chat.deleteChat({ chatId: params.id }, { caller: req.caller });
    return true;
  }

  @Route(c.isPinned)
  async isPinned(
    @RouteInput() { params }: Input<typeof c.isPinned>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.isPinned>> {
    const reply = await this.chat.getChat({ chatId: params.id }, { caller: req.caller });
    return reply.chat?.pinned ?? false;
  }

  @Route(c.pin)
  async pin(
    @RouteInput() { params }: Input<typeof c.pin>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.pin>> {
    await this.chat.setChatPinned({ chatId: params.id }, { caller: req.caller });
    return this.chatById(params.id, req);
  }

  @Route(c.archive)
  async archive(
    @RouteInput() { params }: Input<typeof c.archive>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.archive>> {
    await this.chat.setChatArchived({ chatId: params.id }, { caller: req.caller });
    return this.chatById(params.id, req);
  }

  @Route(c.clone)
  async clone(
    @RouteInput() { params, body }: Input<typeof c.clone>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.clone>> {
    const reply = await this.chat.cloneChat(
      { chatId: params.id, title: body.title ?? '' },
      { caller: req.caller },
    );
    return chatJson(reply.chat);
  }

  @Route(c.cloneShared)
  async cloneShared(
    @RouteInput() { params }: Input<typeof c.cloneShared>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.cloneShared>> {
    const reply = await this.chat.cloneSharedChat({ shareId: params.id }, { caller: req.caller });
    return chatJson(reply.chat);
  }

  @Route(c.share)
  async share(
    @RouteInput() { params }: Input<typeof c.share>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.share>> {
    const reply = await this.chat.shareChat({ chatId: params.id }, { caller: req.caller });
    const shared = chatJson(reply.chat);
    // Open WebUI answers the shared copy, whose id is the share id: its clients link to /s/{id}.
    return { ...shared, id: shared.share_id ?? shared.id };
  }

  @Route(c.unshare)
  async unshare(
    @RouteInput() { params }: Input<typeof c.unshare>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.unshare>> {
    return (await this.chat.unshareChat({ chatId: params.id }, { caller: req.caller })).wasShared;
  }

  @Route(c.moveToFolder)
  async moveToFolder(
    @RouteInput() { params, body }: Input<typeof c.moveToFolder>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.moveToFolder>> {
    await this.chat.moveChatToFolder(
      { chatId: params.id, folderId: body.folder_id ?? '' },
      { caller: req.caller },
    );
    return this.chatById(params.id, req);
  }

  @Route(c.tags)
  async tags(
    @RouteInput() { params }: Input<typeof c.tags>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.tags>> {
    return (await this.chat.getChatTags({ chatId: params.id }, { caller: req.caller })).tags.map(tagJson);
  }

  @Route(c.addTag)
  async addTag(
    @RouteInput() { params, body }: Input<typeof c.addTag>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.addTag>> {
    const reply = await this.chat.addChatTag({ chatId: params.id, name: body.name }, { caller: req.caller });
    return reply.tags.map(tagJson);
  }

  @Route(c.removeTag)
  async removeTag(
    @RouteInput() { params, body }: Input<typeof c.removeTag>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.removeTag>> {
    const reply = await this.chat.removeChatTag(
      { chatId: params.id, name: body.name },
      { caller: req.caller },
    );
    return reply.tags.map(tagJson);
  }

  // --- the message tree (Parley; Open WebUI's UI rewrites the whole chat instead) ---

  @Route(c.addMessage)
  async addMessage(
    @RouteInput() { params, body }: Input<typeof c.addMessage>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.addMessage>> {
    const reply = await this.chat.addMessage(
      { chatId: params.id, parentId: body.parent_id ?? '', messageJson: JSON.stringify(body.message) },
      { caller: req.caller },
    );
    return messageResultJson(params.id, reply.result);
  }

  /** Open WebUI's route: replaces a message's content and answers the whole chat. */
  @Route(c.setMessageContent)
  async setMessageContent(
    @RouteInput() { params, body }: Input<typeof c.setMessageContent>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.setMessageContent>> {
    await this.chat.updateMessageContent(
      { chatId: params.id, messageId: params.message_id, content: body.content, partial: false },
      { caller: req.caller },
    );
    return this.chatById(params.id, req);
  }

  @Route(c.editMessage)
  async editMessage(
    @RouteInput() { params, body }: Input<typeof c.editMessage>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.editMessage>> {
    const reply = await this.chat.editMessage(
      { chatId: params.id, messageId: params.message_id, content: body.content, newMessageId: body.id ?? '' },
      { caller: req.caller },
    );
    return messageResultJson(params.id, reply.result);
  }

  @Route(c.regenerate)
  async regenerate(
    @RouteInput() { params, body }: Input<typeof c.regenerate>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.regenerate>> {
    const reply = await this.chat.regenerateMessage(
      {
        chatId: params.id,
        messageId: params.message_id,
        model: body.model ?? '',
        newMessageId: body.id ?? '',
      },
      { caller: req.caller },
    );
    return messageResultJson(params.id, reply.result);
  }

  @Route(c.switchBranch)
  async switchBranch(
    @RouteInput() { params }: Input<typeof c.switchBranch>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.switchBranch>> {
    const reply = await this.chat.switchBranch(
      { chatId: params.id, messageId: params.message_id },
      { caller: req.caller },
    );
    return { chat_id: params.id, current_id: nullIfEmpty(reply.currentId) };
  }

  @Route(c.rate)
  async rate(
    @RouteInput() { params, body }: Input<typeof c.rate>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.rate>> {
    const reply = await this.chat.rateMessage(
      {
        chatId: params.id,
        messageId: params.message_id,
        rating: body.rating,
        comment: body.comment ?? '',
        reason: body.reason ?? '',
      },
      { caller: req.caller },
    );
    return messageResultJson(params.id, reply.result);
  }

  @Route(c.deleteMessage)
  async deleteMessage(
    @RouteInput() { params }: Input<typeof c.deleteMessage>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.deleteMessage>> {
    const reply = await this.chat.deleteMessage(
      { chatId: params.id, messageId: params.message_id },
      { caller: req.caller },
    );
    return { chat_id: params.id, current_id: nullIfEmpty(reply.currentId), deleted: reply.deleted };
  }
}
