import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, ErrorKind } from '@parley/errors';
import { CHAT_CONFIG, ChatConfig } from '../chat.config';
import { ChatEvents } from '../chats/chat-events';
import { ChatsRepository } from '../chats/chats.repository';
import { isUuid, parseJsonObject, requireUserId } from '../common/ids';
import { FolderRow, FoldersRepository } from './folders.repository';

const noSuchFolder = () => new DomainError(ErrorKind.NotFound, 'No such folder.');

/** Folders: create, rename, nest (no cycles), expand, delete with or without their chats. */
@Injectable()
export class FoldersService {
  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @Inject(FoldersRepository) private readonly folders: FoldersRepository,
    @Inject(ChatsRepository) private readonly chats: ChatsRepository,
    @Inject(ChatEvents) private readonly events: ChatEvents,
  ) {}

  list(userId: string): Promise<FolderRow[]> {
    requireUserId(userId);
    return this.folders.list(userId);
  }

  async get(userId: string, folderId: string): Promise<FolderRow> {
    requireUserId(userId);
    const folder = isUuid(folderId) ? await this.folders.findOwned(userId, folderId) : null;
    if (!folder) throw noSuchFolder();
    return folder;
  }

  async create(
    userId: string,
    input: { name: string; parentId: string; metaJson: string; dataJson: string },
  ): Promise<FolderRow> {
    requireUserId(userId);
    const name = this.validName(input.name);
    const parentId = input.parentId ? (await this.get(userId, input.parentId)).id : null;
    await this.refuseDuplicate(userId, parentId, name);
    return this.folders.create({
      id: randomUUID(),
      userId,
      parentId,
      name,
      meta: parseJsonObject(input.metaJson, 'meta'),
      data: parseJsonObject(input.dataJson, 'data'),
      isExpanded: false,
    });
  }

  async update(
    userId: string,
    folderId: string,
    input: { name?: string; parentId?: string; isExpanded?: boolean; metaJson?: string; dataJson?: string },
  ): Promise<FolderRow> {
    const folder = await this.get(userId, folderId);
    const fields: Parameters<FoldersRepository['update']>[1] = {};
    let parentId = folder.parentId;
    if (input.parentId !== undefined) {
      parentId = input.parentId ? (await this.get(userId, input.parentId)).id : null;
      if (parentId && (await this.folders.subtreeIds(userId, folder.id)).includes(parentId)) {
        throw new DomainError(
          ErrorKind.InvalidArgument,
          'A folder cannot be moved into itself or one of its subfolders.',
        );
      }
      fields.parentId = parentId;
    }
    const name = input.name !== undefined ? this.validName(input.name) : folder.name;
    if (input.name !== undefined) fields.name = name;
    if (input.name !== undefined || input.parentId !== undefined) {
      const clash = await this.folders.findSibling(userId, parentId, name);
      if (clash && clash.id !== folder.id)
        throw new DomainError(ErrorKind.AlreadyExists, 'Folder already exists');
    }
    if (input.isExpanded !== undefined) fields.isExpanded = input.isExpanded;
    if (input.metaJson !== undefined) fields.meta = parseJsonObject(input.metaJson, 'meta');
    if (input.dataJson !== undefined) fields.data = parseJsonObject(input.dataJson, 'data');
    return this.folders.update(folder.id, fields);
  }

  /** Deletes the folder and its subfolders; their chats are deleted too or move to the top level. */
  async delete(userId: string, folderId: string, deleteContents: boolean): Promise<number> {
    const folder = await this.get(userId, folderId);
    const ids = await this.folders.subtreeIds(userId, folder.id);
    const affected = await this.chats.chatsInFolders(userId, ids);
    let deleted = 0;
    if (deleteContents) deleted = await this.chats.deleteChatsInFolders(userId, ids);
    // Deleting the folder cascades to subfolders; the foreign key moves remaining chats to the top level.
    await this.folders.delete(folder.id);
    for (const chat of affected) {
      if (deleteContents) this.events.deleted(chat);
      else this.events.updated({ ...chat, folderId: null }, 'folder');
    }
    return deleted;
  }

  private validName(raw: string): string {
    const name = raw.trim();
    if (!name) throw new DomainError(ErrorKind.InvalidArgument, 'The folder name must not be empty.');
    if (name.length > this.config.CHAT_TITLE_MAX_LENGTH) {
      throw new DomainError(
        ErrorKind.InvalidArgument,
        `The folder name is longer than the limit of ${this.config.CHAT_TITLE_MAX_LENGTH} characters.`,
      );
    }
    return name;
  }

  private async refuseDuplicate(userId: string, parentId: string | null, name: string): Promise<void> {
    if (await this.folders.findSibling(userId, parentId, name))
      throw new DomainError(ErrorKind.AlreadyExists, 'Folder already exists');
  }
}
