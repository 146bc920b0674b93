import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { GrpcServerHost } from '@parley/grpc';
import { chatV1 } from '@parley/proto';
import type { ChatRow } from '../chats/chats.repository';
import type { ListedChat } from '../chats/chats.service';
import { ChatsService, ChatWithDocument, ListScope, TagView } from '../chats/chats.service';
import type { FolderRow } from '../folders/folders.repository';
import { FoldersService } from '../folders/folders.service';
import { MessageResult, MessagesService } from '../messages/messages.service';
import { SharesService } from '../shares/shares.service';
import { TransferService } from '../transfer/transfer.service';

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
  ) {}

  onModuleInit(): void {
    const { chats, messages, folders, shares, transfer } = this;
    this.host.addService(chatV1.ChatService, {
      createChat: async (r) => ({
        chat: toChat(
          await chats.create(r.userId, { title: r.title, chatJson: r.chatJson, folderId: r.folderId }),
        ),
      }),
      getChat: async (r) => ({ chat: toChat(await chats.get(r.userId, r.chatId, r.userRole)) }),
      listChats: async (r) => ({
        chats: (
          await chats.list(r.userId, r.page, {
            scope: SCOPES[r.scope] ?? 'default',
            includePinned: r.includePinned,
            includeFolders: r.includeFolders,
            folderId: r.folderId,
            tag: r.tag,
          })
        ).map(toSummary),
      }),
      searchChats: async (r) => ({
        chats: (await chats.search(r.userId, r.text, r.page || 1)).map(toSummary),
      }),
      updateChat: async (r) => ({ chat: toChat(await chats.update(r.userId, r.chatId, r.chatJson)) }),
      deleteChat: async (r) => {
        await chats.delete(r.userId, r.chatId);
        return {};
      },
      deleteAllChats: async (r) => ({ deleted: await chats.deleteAll(r.userId) }),

      addMessage: async (r) => {
        const result = await messages.add(r.userId, r.chatId, {
          parentId: r.parentId,
          messageJson: r.messageJson,
          keepCurrent: r.keepCurrent,
        });
        return { result: toResult(result), created: result.created };
      },
      updateMessageContent: async (r) => ({
        result: toResult(await messages.setContent(r.userId, r.chatId, r.messageId, r.content, r.partial)),
      }),
      finishMessage: async (r) => ({
        result: toResult(await messages.finish(r.userId, r.chatId, r.messageId, r.content, r.dataJson)),
      }),
      failMessage: async (r) => ({
        result: toResult(await messages.fail(r.userId, r.chatId, r.messageId, r.error)),
      }),
      editMessage: async (r) => ({
        result: toResult(await messages.edit(r.userId, r.chatId, r.messageId, r.content, r.newMessageId)),
      }),
      regenerateMessage: async (r) => ({
        result: toResult(await messages.regenerate(r.userId, r.chatId, r.messageId, r.model, r.newMessageId)),
      }),
      switchBranch: async (r) => ({
        currentId: await messages.switchBranch(r.userId, r.chatId, r.messageId),
      }),
      rateMessage: async (r) => ({
        result: toResult(
          await messages.rate(r.userId, r.chatId, r.messageId, {
            rating: r.rating,
            comment: r.comment,
            reason: r.reason,
          }),
        ),
      }),
      deleteMessage: async (r) => {
        const { currentId, deleted } = await messages.delete(r.userId, r.chatId, r.messageId);
        return { currentId: currentId ?? '', deleted };
      },

      setChatPinned: async (r) => ({ chat: toChatRow(await chats.setPinned(r.userId, r.chatId, r.pinned)) }),
      setChatArchived: async (r) => ({
        chat: toChatRow(await chats.setArchived(r.userId, r.chatId, r.archived)),
      }),
      archiveAllChats: async (r) => ({ changed: await chats.archiveAll(r.userId, r.archived) }),
      moveChatToFolder: async (r) => ({
        chat: toChatRow(await chats.moveToFolder(r.userId, r.chatId, r.folderId)),
      }),

      listTags: async (r) => ({ tags: (await chats.listTags(r.userId)).map(toTag) }),
      getChatTags: async (r) => ({ tags: (await chats.chatTags(r.userId, r.chatId)).map(toTag) }),
      addChatTag: async (r) => ({ tags: (await chats.addTag(r.userId, r.chatId, r.name)).map(toTag) }),
      removeChatTag: async (r) => ({ tags: (await chats.removeTag(r.userId, r.chatId, r.name)).map(toTag) }),

      listFolders: async (r) => ({ folders: (await folders.list(r.userId)).map(toFolder) }),
      getFolder: async (r) => ({ folder: toFolder(await folders.get(r.userId, r.folderId)) }),
      createFolder: async (r) => ({
        folder: toFolder(
          await folders.create(r.userId, {
            name: r.name,
            parentId: r.parentId,
            metaJson: r.metaJson,
            dataJson: r.dataJson,
          }),
        ),
      }),
      updateFolder: async (r) => ({
        folder: toFolder(
          await folders.update(r.userId, r.folderId, {
            name: r.name,
            parentId: r.parentId,
            isExpanded: r.isExpanded,
            metaJson: r.metaJson,
            dataJson: r.dataJson,
          }),
        ),
      }),
      deleteFolder: async (r) => ({
        deletedChats: await folders.delete(r.userId, r.folderId, r.deleteContents),
      }),

      shareChat: async (r) => ({ chat: toChat(await shares.share(r.userId, r.chatId)) }),
      unshareChat: async (r) => ({ wasShared: await shares.unshare(r.userId, r.chatId) }),
      getSharedChat: async (r) => ({ chat: toChat(await shares.getShared(r.userId, r.shareId)) }),
      cloneChat: async (r) => ({ chat: toChat(await shares.clone(r.userId, r.chatId, r.title)) }),
      cloneSharedChat: async (r) => ({ chat: toChat(await shares.cloneShared(r.userId, r.shareId)) }),

      exportChats: async (r, stream, call) => {
        for await (const chat of transfer.export(r.userId, call.signal))
          await stream.write({ chat: toChat(chat) });
      },
      importChats: async (r) => {
        const { chats: imported, skipped } = await transfer.import(r.userId, r.itemsJson);
        return { chats: imported.map(toChat), skipped };
      },
    });
  }
}
