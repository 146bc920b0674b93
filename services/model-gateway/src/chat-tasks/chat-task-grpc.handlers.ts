import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { GrpcServerHost } from '@parley/grpc';
import { chatTasksV1 } from '@parley/proto';
import { actingUser } from '../authorization/acting-user';
import { ChatTasksService } from './chat-tasks.service';

/** The ChatTaskService contract (proto/parley/modelgateway/v1/chat_tasks.proto). */
@Injectable()
export class ChatTaskGrpcHandlers implements OnModuleInit {
  constructor(
    @Inject(GrpcServerHost) private readonly host: GrpcServerHost,
    @Inject(ChatTasksService) private readonly tasks: ChatTasksService,
  ) {}

  onModuleInit(): void {
    this.host.addService(chatTasksV1.ChatTaskService, {
      startChatTask: async (request, call) =>
        this.tasks.start(actingUser(call.caller), {
          bodyJson: request.bodyJson,
          chatId: request.chatId,
          messageId: request.messageId,
          parentId: request.parentId,
          sessionId: request.sessionId,
        }),
      stopTask: async (request, call) => {
        await this.tasks.stop(actingUser(call.caller), request.taskId);
        return {};
      },
      stopChatTasks: async (request, call) => ({
        taskIds: await this.tasks.stopChat(actingUser(call.caller), request.chatId),
      }),
      listChatTasks: async (request, call) => ({
        taskIds: await this.tasks.list(actingUser(call.caller), request.chatId),
      }),
    });
  }
}
