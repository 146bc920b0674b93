import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { GrpcServerHost, type CallContext } from '@parley/grpc';
import { chatV1 } from '@parley/proto';
import type { ChatRow } from '../chats/chats.repository';
import type { ListedChat } from '../chats/chats.service';
import { ChatsService, ChatWithDocument, ListScope, TagView } from '../chats/chats.service';
import type { LeaderboardRow } from '../feedbacks/elo';
import type { FeedbackRow, FeedbackText } from '../feedbacks/feedbacks.repository';
import { EvaluationConfigView, FeedbacksService } from '../feedbacks/feedbacks.service';
import type { FolderRow } from '../folders/folders.repository';
import { FoldersService } from '../folders/folders.service';
import { MessageResult, MessagesService } from '../messages/messages.service';
import { SharesService } from '../shares/shares.service';
import { TransferService } from '../transfer/transfer.service';
import { actingUser, type ChatPermission } from './acting-user';

/** About how much feedback JSON one export message carries. */
const EXPORT_BATCH_BYTES = 1_000_000;

const seconds = (date: Date) => BigInt(Math.floor(date.getTime() / 1000));

function toChat({ row, document }: ChatWithDocument) {
  return {
    ...toChatRow(row),
    chatJson: JSON.stringify(document),
  };
}

function toChatRow(row: ChatRow) {
  return {
    id: row.id,
    userId: row.userId,
    title: row.title,
    createdAt: seconds(row.createdAt),
    updatedAt: seconds(row.updatedAt),
    pinned: row.pinned,
    archived: row.archived,
    folderId: row.folderId ?? '',
    shareId: row.shareId ?? '',
    tags: row.tags,
  };
}

function toSummary(row: ListedChat) {
  return {
    id: row.id,
    title: row.title,
    createdAt: seconds(row.createdAt),
    updatedAt: seconds(row.updatedAt),
    pinned: row.pinned,
    archived: row.archived,
    folderId: row.folderId ?? '',
    shareId: row.shareId ?? '',
    tags: row.tagNames,
  };
}

function toTag(tag: TagView) {
  return { id: tag.id, name: tag.name, userId: tag.userId, metaJson: JSON.stringify(tag.meta ?? {}) };
}

function toFolder(folder: FolderRow) {
  return {
    id: folder.id,
    parentId: folder.parentId ?? '',
    userId: folder.userId,
    name: folder.name,
    metaJson: JSON.stringify(folder.meta ?? {}),
    dataJson: JSON.stringify(folder.data ?? {}),
    isExpanded: folder.isExpanded,
    createdAt: seconds(folder.createdAt),
    updatedAt: seconds(folder.updatedAt),
  };
}

const jsonOrEmpty = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value));

function toFeedback(row: FeedbackRow) {
  return {
    id: row.id,
    userId: row.userId,
    version: BigInt(row.version),
    type: row.type,
    dataJson: jsonOrEmpty(row.data),
    metaJson: jsonOrEmpty(row.meta),
    snapshotJson: jsonOrEmpty(row.snapshot),
    createdAt: seconds(row.createdAt),
    updatedAt: seconds(row.updatedAt),
  };
}

function toExportedFeedback(row: FeedbackText) {
  return {
    ...row,
    version: BigInt(row.version),
    dataJson: row.dataJson ?? '',
    metaJson: row.metaJson ?? '',
    snapshotJson: row.snapshotJson ?? '',
    createdAt: seconds(row.createdAt),
    updatedAt: seconds(row.updatedAt),
  };
}

function toLeaderboardEntry(row: LeaderboardRow) {
  return {
    modelId: row.modelId,
    rating: row.rating,
    won: row.won,
    lost: row.lost,
    count: row.count,
    topTags: row.topTags,
  };
}

function toEvaluationConfig(config: EvaluationConfigView) {
  return { enableArenaModels: config.enableArenaModels, arenaModelsJson: JSON.stringify(config.arenaModels) };
}

function toResult(result: MessageResult) {
  return { messageJson: JSON.stringify(result.message), currentId: result.currentId ?? '' };
}

const SCOPES: Record<chatV1.ChatListScope, ListScope> = {
  [chatV1.ChatListScope.UNSPECIFIED]: 'default',
  [chatV1.ChatListScope.PINNED]: 'pinned',
  [chatV1.ChatListScope.ARCHIVED]: 'archived',
  [chatV1.ChatListScope.FOLDER]: 'folder',
  [chatV1.ChatListScope.TAG]: 'tag',
};

/** The ChatService gRPC contract, mapped onto the use cases. */
@Injectable()
export class ChatGrpcHandlers implements OnModuleInit {
  constructor(
    @Inject(GrpcServerHost) private readonly host: GrpcServerHost,
    @Inject(ChatsService) private readonly chats: ChatsService,
    @Inject(MessagesService) private readonly messages: MessagesService,
    @Inject(FoldersService) private readonly folders: FoldersService,
    @Inject(SharesService) private readonly shares: SharesService,
    @Inject(TransferService) private readonly transfer: TransferService,
    @Inject(FeedbacksService) private readonly feedbacks: FeedbacksService,
  ) {}

  onModuleInit(): void {
    const { chats, messages, folders, shares, transfer, feedbacks } = this;
    /** The acting user's id, after the caller and permission checks (see acting-user.ts). */
    const as = (call: CallContext, permission?: ChatPermission) => actingUser(call, permission).userId;
    this.host.addService(chatV1.ChatService, {
      createChat: async (r, call) => ({
        chat: toChat(
          await chats.create(as(call), { title: r.title, chatJson: r.chatJson, folderId: r.folderId }),
        ),
      }),
      getChat: async (r, call) => {
        const user = actingUser(call);
        return { chat: toChat(await chats.get(user.userId, r.chatId, user.role)) };
      },
      listChats: async (r, call) => ({
        chats: (
          await chats.list(as(call), r.page, {
            scope: SCOPES[r.scope] ?? 'default',
            includePinned: r.includePinned,
            includeFolders: r.includeFolders,
            folderId: r.folderId,
            tag: r.tag,
          })
        ).map(toSummary),
        pageSize: r.page === 0 ? 0 : chats.pageSize,
      }),
      listUserChats: async (r, call) => {
        return {
          chats: (await chats.listOfUser(actingUser(call), r.userId, r.page)).map(toSummary),
          pageSize: chats.pageSize,
        };
      },
      searchChats: async (r, call) => ({
        chats: (await chats.search(as(call), r.text, r.page || 1)).map(toSummary),
        pageSize: chats.pageSize,
      }),
      updateChat: async (r, call) => ({
        chat: toChat(await chats.update(as(call, 'chat.edit'), r.chatId, r.chatJson)),
      }),
      deleteChat: async (r, call) => {
        await chats.delete(as(call, 'chat.delete'), r.chatId);
        return {};
      },
      deleteAllChats: async (_r, call) => ({ deleted: await chats.deleteAll(as(call, 'chat.delete')) }),
      setChatTitle: async (r, call) => ({
        chat: toChat(await chats.update(as(call), r.chatId, JSON.stringify({ title: r.title }))),
      }),

      addMessage: async (r, call) => {
        const result = await messages.add(as(call), r.chatId, {
          parentId: r.parentId,
          messageJson: r.messageJson,
          keepCurrent: r.keepCurrent,
        });
        return { result: toResult(result), created: result.created };
      },
      updateMessageContent: async (r, call) => ({
        result: toResult(
          // A partial write only reaches an unfinished answer (streaming it needs only ownership); a
          // final one rewrites a message, which is an edit.
          await messages.setContent(
            as(call, r.partial ? undefined : 'chat.edit'),
            r.chatId,
            r.messageId,
            r.content,
            r.partial,
          ),
        ),
      }),
      finishMessage: async (r, call) => ({
        result: toResult(await messages.finish(as(call), r.chatId, r.messageId, r.content, r.dataJson)),
      }),
      failMessage: async (r, call) => ({
        result: toResult(await messages.fail(as(call), r.chatId, r.messageId, r.error)),
      }),
      editMessage: async (r, call) => ({
        result: toResult(
          await messages.edit(as(call, 'chat.edit'), r.chatId, r.messageId, r.content, r.newMessageId),
        ),
      }),
      regenerateMessage: async (r, call) => ({
        result: toResult(await messages.regenerate(as(call), r.chatId, r.messageId, r.model, r.newMessageId)),
      }),
      switchBranch: async (r, call) => ({
        currentId: await messages.switchBranch(as(call), r.chatId, r.messageId),
      }),
      rateMessage: async (r, call) => ({
        result: toResult(
          await messages.rate(as(call), r.chatId, r.messageId, {
            rating: r.rating,
            comment: r.comment,
            reason: r.reason,
          }),
        ),
      }),
      deleteMessage: async (r, call) => {
        const { currentId, deleted } = await messages.delete(as(call, 'chat.delete'), r.chatId, r.messageId);
        return { currentId: currentId ?? '', deleted };
      },

      setChatPinned: async (r, call) => ({
        chat: toChatRow(await chats.setPinned(as(call), r.chatId, r.pinned)),
      }),
      setChatArchived: async (r, call) => ({
        chat: toChatRow(await chats.setArchived(as(call), r.chatId, r.archived)),
      }),
      archiveAllChats: async (r, call) => ({ changed: await chats.archiveAll(as(call), r.archived) }),
      moveChatToFolder: async (r, call) => ({
        chat: toChatRow(await chats.moveToFolder(as(call), r.chatId, r.folderId)),
      }),

      listTags: async (_r, call) => ({ tags: (await chats.listTags(as(call))).map(toTag) }),
      getChatTags: async (r, call) => ({ tags: (await chats.chatTags(as(call), r.chatId)).map(toTag) }),
      addChatTag: async (r, call) => ({ tags: (await chats.addTag(as(call), r.chatId, r.name)).map(toTag) }),
      removeChatTag: async (r, call) => ({
        tags: (await chats.removeTag(as(call), r.chatId, r.name)).map(toTag),
      }),

      listFolders: async (_r, call) => ({ folders: (await folders.list(as(call))).map(toFolder) }),
      getFolder: async (r, call) => ({ folder: toFolder(await folders.get(as(call), r.folderId)) }),
      createFolder: async (r, call) => ({
        folder: toFolder(
          await folders.create(as(call), {
            name: r.name,
            parentId: r.parentId,
            metaJson: r.metaJson,
            dataJson: r.dataJson,
          }),
        ),
      }),
      updateFolder: async (r, call) => ({
        folder: toFolder(
          await folders.update(as(call), r.folderId, {
            name: r.name,
            parentId: r.parentId,
            isExpanded: r.isExpanded,
            metaJson: r.metaJson,
            dataJson: r.dataJson,
          }),
        ),
      }),
      // Deleting a folder deletes its chats by default, so it needs what deleting a chat needs.
      deleteFolder: async (r, call) => ({
        deletedChats: await folders.delete(as(call, 'chat.delete'), r.folderId, r.deleteContents),
      }),

      shareChat: async (r, call) => ({ chat: toChat(await shares.share(as(call, 'chat.share'), r.chatId)) }),
      unshareChat: async (r, call) => ({ wasShared: await shares.unshare(as(call), r.chatId) }),
      getSharedChat: async (r, call) => ({ chat: toChat(await shares.getShared(as(call), r.shareId)) }),
      cloneChat: async (r, call) => ({ chat: toChat(await shares.clone(as(call), r.chatId, r.title)) }),
      cloneSharedChat: async (r, call) => ({ chat: toChat(await shares.cloneShared(as(call), r.shareId)) }),

      exportChats: async (_r, stream, call) => {
        for await (const chat of transfer.export(as(call, 'chat.export'), call.signal))
          await stream.write({ chat: toChat(chat) });
      },
      importChats: async (r, call) => {
        const { chats: imported, skipped } = await transfer.import(as(call), r.itemsJson);
        return { chats: imported.map(toChat), skipped };
      },

      createFeedback: async (r, call) => ({
        feedback: toFeedback(await feedbacks.create(actingUser(call), r)),
      }),
      getFeedback: async (r, call) => ({
        feedback: toFeedback(await feedbacks.get(actingUser(call), r.feedbackId)),
      }),
      updateFeedback: async (r, call) => ({
        feedback: toFeedback(await feedbacks.update(actingUser(call), r.feedbackId, r)),
      }),
      deleteFeedback: async (r, call) => {
        await feedbacks.delete(actingUser(call), r.feedbackId);
        return {};
      },
      listMyFeedbacks: async (_r, call) => ({
        feedbacks: (await feedbacks.listMine(actingUser(call))).map(toFeedback),
      }),
      deleteMyFeedbacks: async (_r, call) => ({ deleted: await feedbacks.deleteMine(actingUser(call)) }),
      listAllFeedbacks: async (r, call) => {
        const { rows, total } = await feedbacks.listAll(actingUser(call), r);
        return { feedbacks: rows.map(toFeedback), total: BigInt(total) };
      },
      deleteAllFeedbacks: async (_r, call) => ({ deleted: await feedbacks.deleteAll(actingUser(call)) }),
      exportFeedbacks: async (_r, stream, call) => {
        // Rows go out in batches of about a megabyte: one message per row made a 50,000-row export
        // take minutes, and a fixed count could pass gRPC's message limit with large snapshots.
        let batch: ReturnType<typeof toExportedFeedback>[] = [];
        let bytes = 0;
        for await (const row of feedbacks.export(actingUser(call))) {
          if (call.signal.aborted) return;
          const item = toExportedFeedback(row);
          const size = item.dataJson.length + item.metaJson.length + item.snapshotJson.length;
          if (batch.length > 0 && bytes + size > EXPORT_BATCH_BYTES) {
            await stream.write({ feedbacks: batch });
            [batch, bytes] = [[], 0];
          }
          batch.push(item);
          bytes += size;
        }
        if (batch.length > 0) await stream.write({ feedbacks: batch });
      },
      getLeaderboard: async (r, call) => ({
        entries: (await feedbacks.leaderboard(actingUser(call), r.query)).map(toLeaderboardEntry),
      }),
      getEvaluationConfig: async (_r, call) => ({
        config: toEvaluationConfig(await feedbacks.getConfig(actingUser(call))),
      }),
      updateEvaluationConfig: async (r, call) => ({
        config: toEvaluationConfig(
          await feedbacks.updateConfig(actingUser(call), {
            enableArenaModels: r.enableArenaModels,
            arenaModelsJson: r.arenaModelsJson,
          }),
        ),
      }),
    });
  }
}
