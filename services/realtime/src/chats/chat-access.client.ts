import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { callerSigning, createGrpcClient, serviceCaller, ServiceClient } from '@parley/grpc';
import { chatV1 } from '@parley/proto';
import { REALTIME_CONFIG, RealtimeConfig } from '../realtime.config';

type ChatMethods = typeof chatV1.ChatService extends { method: infer M } ? M : never;

/** Asks the chat service whether a user may see a chat (its GetChat answers NOT_FOUND otherwise). */
@Injectable()
export class ChatAccessClient implements OnApplicationShutdown {
  private readonly chat: ServiceClient<ChatMethods>;

  constructor(@Inject(REALTIME_CONFIG) config: RealtimeConfig) {
    this.chat = createGrpcClient(chatV1.ChatService, config.CHAT_GRPC_URL, {
      deadlineMs: config.GRPC_DEADLINE_MS,
      peerName: 'chat',
      signing: callerSigning(config, 'realtime', 'chat'),
      // TODO(verified callers, phase B): the socket's user caller; the default goes away.
      defaultCaller: serviceCaller('realtime'),
    });
  }

  /** True when the user may see the chat; false for NOT_FOUND; other failures are thrown. */
  async maySee(userId: string, chatId: string): Promise<boolean> {
    try {
      const response = await this.chat.getChat({ userId, chatId });
      return response.chat?.userId === userId;
    } catch (error) {
      if (error instanceof DomainError && error.kind === ErrorKind.NotFound) return false;
      throw error;
    }
  }

  onApplicationShutdown(): void {
    this.chat.close();
  }
}
