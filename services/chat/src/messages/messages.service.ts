import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, ErrorKind } from '@parley/errors';
import { CHAT_CONFIG, ChatConfig } from '../chat.config';
import {
  MessageDocument,
  messageDocument,
  ParsedMessage,
  parseMessage,
  parseMessageJson,
} from '../chats/chat-document';
import { ChatEvents } from '../chats/chat-events';
import { ChatRow } from '../chats/chats.repository';
import { ChatsService } from '../chats/chats.service';
import { parseJsonObject } from '../common/ids';
import { FeedbacksService } from '../feedbacks/feedbacks.service';
import { MessagesRepository } from './messages.repository';

export interface MessageResult {
  message: MessageDocument;
  currentId: string | null;
}

const noSuchMessage = () => new DomainError(ErrorKind.NotFound, 'No such message.');

/** Fields a new branch does not inherit from the message it branches from. */
const NOT_INHERITED = new Set([
  'annotation',
  'feedbackId',
  'error',
  'done',
  'usage',
  'sources',
  'statusHistory',
  'output',
]);

/**
 * The message tree: add under a parent, edit as a new sibling, regenerate as a new answer, switch the
 * branch in view, rate, delete a subtree; and the streamed-answer writes, idempotent by message id.
 */
@Injectable()
export class MessagesService {
  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @Inject(ChatsService) private readonly chats: ChatsService,
    @Inject(MessagesRepository) private readonly messages: MessagesRepository,
    @Inject(ChatEvents) private readonly events: ChatEvents,
    @Inject(FeedbacksService) private readonly feedbacks: FeedbacksService,
  ) {}

  async add(
    userId: string,
    chatId: string,
    input: { parentId: string; messageJson: string; keepCurrent?: boolean },
  ): Promise<MessageResult & { created: boolean }> {
    const chat = await this.chats.owned(userId, chatId);
    const raw = parseMessageJson(input.messageJson, this.config.CHAT_MAX_MESSAGE_BYTES);
    const message = parseMessage(typeof raw.id === 'string' && raw.id ? raw.id : randomUUID(), raw);
    message.parentId = input.parentId || null;
    return this.insert(chat, message, !input.keepCurrent);
  }

  /** Content of a message: a streamed partial, or (not partial) a plain replacement. */
  async setContent(
    userId: string,
    chatId: string,
    messageId: string,
    content: string,
    partial: boolean,
  ): Promise<MessageResult> {
    const chat = await this.chats.owned(userId, chatId);
    this.checkSize(content);
    await this.existing(chat.id, messageId);
    await this.messages.setContent(chat.id, messageId, content, partial);
    if (!partial) {
      await this.messages.touch(chat.id);
      this.events.updated(await this.chats.owned(userId, chatId), 'message', messageId);
    }
    return this.result(chat.id, messageId, chat.currentMessageId);
  }

  async finish(
    userId: string,
    chatId: string,
    messageId: string,
    content: string,
    dataJson: string,
  ): Promise<MessageResult> {
    const chat = await this.chats.owned(userId, chatId);
    this.checkSize(content + dataJson);
    await this.existing(chat.id, messageId);
    const data = parseJsonObject(dataJson, 'data');
    await this.messages.mergeData(chat.id, messageId, { ...data, done: true }, content);
    return this.afterWrite(chat, messageId);
  }

  async fail(userId: string, chatId: string, messageId: string, error: string): Promise<MessageResult> {
    const chat = await this.chats.owned(userId, chatId);
    this.checkSize(error);
    await this.existing(chat.id, messageId);
    await this.messages.mergeData(chat.id, messageId, {
      error: { content: error || 'The answer failed.' },
      done: true,
    });
    return this.afterWrite(chat, messageId);
  }

  /** A new sibling with the new content; the old branch stays. */
  async edit(
    userId: string,
    chatId: string,
    messageId: string,
    content: string,
    newId: string,
  ): Promise<MessageResult> {
    const chat = await this.chats.owned(userId, chatId);
    const original = await this.existing(chat.id, messageId);
    this.checkSize(content);
    return this.insert(chat, {
      ...this.branchOf(original, newId),
      content,
    });
  }

  /** A new, empty answer next to the old one, for the model to stream into. */
  async regenerate(
    userId: string,
    chatId: string,
    messageId: string,
    model: string,
    newId: string,
  ): Promise<MessageResult> {
    const chat = await this.chats.owned(userId, chatId);
    const original = await this.existing(chat.id, messageId);
    if (original.role !== 'assistant')
      throw new DomainError(
        ErrorKind.InvalidArgument,
        'Only an answer (an assistant message) can be regenerated.',
      );
    const branch = this.branchOf(original, newId);
    return this.insert(chat, {
      ...branch,
      content: '',
      model: model || original.model,
      data: { ...branch.data, done: false },
    });
  }

  async switchBranch(userId: string, chatId: string, messageId: string): Promise<string> {
    const chat = await this.chats.owned(userId, chatId);
    await this.existing(chat.id, messageId);
    const leaf = await this.messages.newestLeafBelow(chat.id, messageId);
    await this.messages.setCurrent(chat.id, leaf, false);
    this.events.updated({ ...chat, currentMessageId: leaf }, 'current', leaf);
    return leaf;
  }

  async rate(
    userId: string,
    chatId: string,
    messageId: string,
    input: { rating: number; comment: string; reason: string },
  ): Promise<MessageResult> {
    const chat = await this.chats.owned(userId, chatId);
    const message = await this.existing(chat.id, messageId);
    if (![-1, 0, 1].includes(input.rating))
      throw new DomainError(ErrorKind.InvalidArgument, 'rating must be 1 (good), -1 (bad) or 0 (none).');
    this.checkSize(input.comment + input.reason);
    const previous = (message.data.annotation ?? {}) as Record<string, unknown>;
    // The thumb is also the user's feedback row for this answer (Open WebUI's `feedbackId`), so the
    // evaluations routes and the leaderboard see it: the rated model against its sibling answers'.
    const feedbackId = await this.feedbacks.fromThumb(
      userId,
      {
        chatId: chat.id,
        messageId,
        modelId: message.model,
        siblingModelIds: await this.messages.siblingModels(chat.id, message.parentId, messageId),
      },
      input,
    );
    await this.messages.mergeData(chat.id, messageId, {
      annotation: {
        ...previous,
        rating: input.rating,
        ...(input.comment ? { comment: input.comment } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
      },
      feedbackId,
    });
    return this.afterWrite(chat, messageId);
  }

  /** Deletes the message and its subtree; the view moves to the newest remaining branch. */
  async delete(
    userId: string,
    chatId: string,
    messageId: string,
  ): Promise<{ currentId: string | null; deleted: number }> {
    const chat = await this.chats.owned(userId, chatId);
    const message = await this.existing(chat.id, messageId);
    const removed = await this.messages.deleteSubtree(chat.id, messageId);
    let currentId = chat.currentMessageId;
    if (currentId === null || removed.includes(currentId)) {
      const anchor = message.parentId ?? (await this.messages.newestRoot(chat.id));
      currentId = anchor ? await this.messages.newestLeafBelow(chat.id, anchor) : null;
      await this.messages.setCurrent(chat.id, currentId, false);
    }
    this.events.updated(await this.chats.owned(userId, chatId), 'message', messageId);
    return { currentId, deleted: removed.length };
  }

  private branchOf(original: ParsedMessage, newId: string): ParsedMessage {
    if (newId && newId.length > 200)
      throw new DomainError(ErrorKind.InvalidArgument, 'A message id is longer than 200 characters.');
    const data = Object.fromEntries(Object.entries(original.data).filter(([key]) => !NOT_INHERITED.has(key)));
    return {
      ...original,
      id: newId || randomUUID(),
      data,
      timestamp: Math.floor(Date.now() / 1000),
    };
  }

  private async insert(
    chat: ChatRow,
    message: ParsedMessage,
    setCurrent = true,
  ): Promise<MessageResult & { created: boolean }> {
    const existing = await this.messages.find(chat.id, message.id);
    if (existing)
      return { ...(await this.result(chat.id, message.id, chat.currentMessageId)), created: false };
    if (message.parentId === message.id)
      throw new DomainError(ErrorKind.InvalidArgument, 'A message cannot be its own parent.');
    if (message.parentId && !(await this.messages.find(chat.id, message.parentId)))
      throw new DomainError(ErrorKind.NotFound, 'The parent message is not in this chat.');
    if (chat.messageCount >= this.config.CHAT_MAX_MESSAGES) {
      throw new DomainError(
        ErrorKind.PayloadTooLarge,
        `A chat may hold at most ${this.config.CHAT_MAX_MESSAGES} messages.`,
      );
    }
    this.checkSize(JSON.stringify(message));
    const created = await this.messages.insert(chat.id, message, { setCurrent });
    const currentId = setCurrent && created ? message.id : chat.currentMessageId;
    if (created) {
      this.events.updated(
        { ...chat, currentMessageId: currentId, messageCount: chat.messageCount + 1, updatedAt: new Date() },
        'message',
        message.id,
      );
    }
    return { ...(await this.result(chat.id, message.id, currentId)), created };
  }

  private async afterWrite(chat: ChatRow, messageId: string): Promise<MessageResult> {
    await this.messages.touch(chat.id);
    this.events.updated({ ...chat, updatedAt: new Date() }, 'message', messageId);
    return this.result(chat.id, messageId, chat.currentMessageId);
  }

  private async existing(chatId: string, messageId: string): Promise<ParsedMessage> {
    const message = messageId ? await this.messages.find(chatId, messageId) : null;
    if (!message) throw noSuchMessage();
    return message;
  }

  private async result(chatId: string, messageId: string, currentId: string | null): Promise<MessageResult> {
    const row = await this.existing(chatId, messageId);
    return { message: messageDocument(row, await this.messages.childrenIds(chatId, messageId)), currentId };
  }

  private checkSize(text: string): void {
    if (Buffer.byteLength(text) > this.config.CHAT_MAX_MESSAGE_BYTES) {
      throw new DomainError(
        ErrorKind.PayloadTooLarge,
        `A message is larger than the limit of ${this.config.CHAT_MAX_MESSAGE_BYTES} bytes.`,
      );
    }
  }
}
