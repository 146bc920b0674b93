import { DynamicModule, Module } from '@nestjs/common';
import { GrpcServerHost } from '@parley/grpc';
import { LifecycleModule } from '@parley/lifecycle';
import { LOGGER, Logger } from '@parley/logging';
import { NatsModule, natsSubjectPrefix } from '@parley/nats';
import { CHAT_CONFIG, ChatConfig } from './chat.config';
import { ChatEvents } from './chats/chat-events';
import { ChatsRepository } from './chats/chats.repository';
import { ChatsService } from './chats/chats.service';
import { PrismaService } from './database/prisma.service';
import { FeedbacksRepository } from './feedbacks/feedbacks.repository';
import { FeedbacksService } from './feedbacks/feedbacks.service';
import { FoldersRepository } from './folders/folders.repository';
import { FoldersService } from './folders/folders.service';
import { ChatGrpcHandlers } from './grpc/chat-grpc.handlers';
import { MessagesRepository } from './messages/messages.repository';
import { MessagesService } from './messages/messages.service';
import { SharesService } from './shares/shares.service';
import { TransferService } from './transfer/transfer.service';

@Module({})
export class ChatAppModule {
  static register(config: ChatConfig, logger: Logger, grpcHost: GrpcServerHost): DynamicModule {
    return {
      module: ChatAppModule,
      imports: [
        LifecycleModule.forRoot(),
        NatsModule.forRoot({
          url: config.NATS_URL,
          name: `chat-${process.pid}`,
          logger,
          subjectPrefix: natsSubjectPrefix(config),
        }),
      ],
      providers: [
        { provide: CHAT_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: GrpcServerHost, useValue: grpcHost },
        PrismaService,
        ChatEvents,
        ChatsRepository,
        ChatsService,
        FeedbacksRepository,
        FeedbacksService,
        MessagesRepository,
        MessagesService,
        FoldersRepository,
        FoldersService,
        SharesService,
        TransferService,
        ChatGrpcHandlers,
      ],
    };
  }
}
