import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { GrpcServerHost } from '@parley/grpc';
import { chatTasksV1 } from '@parley/proto';
import { callerFromProto as callerOf } from '../completions/completions.service';
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
      startChatTask: async (request) =>
        this.tasks.start(callerOf(request.caller), {
          bodyJson: request.bodyJson,
          chatId: request.chatId,
          messageId: request.messageId,
          parentId: request.parentId,
          sessionId: request.sessionId,
        }),
      stopTask: async (request) => {
        await this.tasks.stop(callerOf(request.caller), request.taskId);
        return {};
      },
      stopChatTasks: async (request) => ({
        taskIds: await this.tasks.stopChat(callerOf(request.caller), request.chatId),
      }),
      listChatTasks: async (request) => ({
        taskIds: await this.tasks.list(callerOf(request.caller), request.chatId),
      }),
    });
  }
}
