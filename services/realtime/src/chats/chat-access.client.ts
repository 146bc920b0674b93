import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import type { AuthenticatedUser } from '@parley/auth-guard';
import { callerSigning, createGrpcClient, ServiceClient, type UserCaller } from '@parley/grpc';
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
    });
  }

  /**
   * True when the socket's user owns the chat; false for NOT_FOUND (not theirs) and PERMISSION_DENIED
   * (a pending user); other failures are thrown. The call is signed as that user, with the role from the
   * verified token and no groups or permissions: ownership is all the check needs (less access, never
   * more than the user has).
   */
  async maySee(user: Pick<AuthenticatedUser, 'id' | 'role'>, chatId: string): Promise<boolean> {
    const caller: UserCaller = {
      kind: 'user',
      userId: user.id,
      role: user.role,
      groupIds: [],
      permissions: new Set(),
    };
    try {
      const response = await this.chat.getChat({ chatId }, { caller });
      return response.chat?.userId === user.id;
    } catch (error) {
      if (
        error instanceof DomainError &&
        (error.kind === ErrorKind.NotFound || error.kind === ErrorKind.PermissionDenied)
      )
        return false;
      throw error;
    }
  }

  onApplicationShutdown(): void {
    this.chat.close();
  }
}
