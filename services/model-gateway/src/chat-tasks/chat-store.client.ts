import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { callerSigning, createGrpcClient, ServiceClient, type UserCaller } from '@parley/grpc';
import { chatV1 } from '@parley/proto';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';

type ChatMethods = typeof chatV1.ChatService extends { method: infer M } ? M : never;

/** An answer message as the chat service returns it (the fields a task reads). */
export interface StoredAnswer {
  id: string;
  role: string;
  content: string;
  done?: boolean;
  parentId?: string | null;
}

/**
 * The chat service as a chat task sees it: create the answer, save it as it grows (idempotent partial
 * writes that a finished answer ignores), finish or fail it, and set a chat's title. Every call is signed
 * as the task's user (role 'user', no groups or permissions: writing an answer and its title needs only
 * ownership, which the chat service checks on every call).
 */
@Injectable()
export class ChatStoreClient implements OnApplicationShutdown {
  private readonly chat: ServiceClient<ChatMethods>;

  constructor(@Inject(MODEL_GATEWAY_CONFIG) config: ModelGatewayConfig) {
    this.chat = createGrpcClient(chatV1.ChatService, config.CHAT_GRPC_URL, {
      deadlineMs: config.GRPC_DEADLINE_MS,
      peerName: 'chat',
      signing: callerSigning(config, 'model-gateway', 'chat'),
    });
  }

  private static as(userId: string): { caller: UserCaller } {
    return { caller: { kind: 'user', userId, role: 'user', groupIds: [], permissions: new Set() } };
  }

  /** Creates the (empty, unfinished) answer; for an id that exists, returns that message unchanged. */
  async addAnswer(
    userId: string,
    chatId: string,
    parentId: string,
    answer: { id: string; model: string },
  ): Promise<{ message: StoredAnswer; created: boolean }> {
    const reply = await this.chat.addMessage(
      {
        chatId,
        parentId,
        messageJson: JSON.stringify({
          id: answer.id,
          role: 'assistant',
          content: '',
          model: answer.model,
          done: false,
          timestamp: Math.floor(Date.now() / 1000),
        }),
      },
      ChatStoreClient.as(userId),
    );
    return {
      message: JSON.parse(reply.result?.messageJson ?? '{}') as StoredAnswer,
      created: reply.created,
    };
  }

  async savePartial(userId: string, chatId: string, messageId: string, content: string): Promise<void> {
    await this.chat.updateMessageContent(
      { chatId, messageId, content, partial: true },
      ChatStoreClient.as(userId),
    );
  }

  async finish(
    userId: string,
    chatId: string,
    messageId: string,
    content: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.chat.finishMessage(
      { chatId, messageId, content, dataJson: JSON.stringify(data) },
      ChatStoreClient.as(userId),
    );
  }

  async fail(userId: string, chatId: string, messageId: string, error: string): Promise<void> {
    await this.chat.failMessage({ chatId, messageId, error }, ChatStoreClient.as(userId));
  }

  async title(userId: string, chatId: string): Promise<string | undefined> {
    const reply = await this.chat.getChat({ chatId }, ChatStoreClient.as(userId));
    return reply.chat?.title;
  }

  async setTitle(userId: string, chatId: string, title: string): Promise<void> {
    // SetChatTitle needs only ownership (UpdateChat would need chat.edit, which this caller lacks).
    await this.chat.setChatTitle({ chatId, title }, ChatStoreClient.as(userId));
  }

  onApplicationShutdown(): void {
    this.chat.close();
  }
}
