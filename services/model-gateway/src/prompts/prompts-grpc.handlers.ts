import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { accessControlFromProto, accessControlToProto, GrpcServerHost } from '@parley/grpc';
import { promptsV1 } from '@parley/proto';
import { actingUser, requirePermission } from '../authorization/acting-user';
import { PromptInput } from './prompt';
import { PromptsService, VisiblePrompt } from './prompts.service';

export function promptToProto(p: VisiblePrompt) {
  return {
    command: p.command,
    userId: p.userId,
    title: p.title,
    content: p.content,
    accessControl: accessControlToProto(p.accessControl),
    timestamp: BigInt(Math.floor(p.updatedAt.getTime() / 1000)),
    writable: p.writable,
  };
}

export function promptFromProto(input: promptsV1.PromptInput | undefined): PromptInput {
  if (!input) throw new DomainError(ErrorKind.InvalidArgument, 'prompt is required.');
  return {
    command: input.command,
    title: input.title,
    content: input.content,
    accessControl: accessControlFromProto(input.accessControl),
  };
}

/** The PromptsService contract, mapped onto PromptsService. */
@Injectable()
export class PromptsGrpcHandlers implements OnModuleInit {
  constructor(
    @Inject(GrpcServerHost) private readonly host: GrpcServerHost,
    @Inject(PromptsService) private readonly prompts: PromptsService,
  ) {}

  onModuleInit(): void {
    this.host.addService(promptsV1.PromptsService, {
      listPrompts: async (request, call) => ({
        prompts: (await this.prompts.list(actingUser(call.caller), request.writableOnly)).map(promptToProto),
      }),
      getPrompt: async (request, call) => ({
        prompt: promptToProto(await this.prompts.get(actingUser(call.caller), request.command)),
      }),
      createPrompt: async (request, call) => {
        // Open WebUI's workspace.prompts: who may create prompts at all (editing needs write access).
        const who = actingUser(call.caller);
        requirePermission(who, 'workspace.prompts');
        return { prompt: promptToProto(await this.prompts.create(who, promptFromProto(request.prompt))) };
      },
      updatePrompt: async (request, call) => ({
        prompt: promptToProto(
          await this.prompts.update(
            actingUser(call.caller),
            request.command,
            promptFromProto(request.prompt),
          ),
        ),
      }),
      deletePrompt: async (request, call) => {
        await this.prompts.delete(actingUser(call.caller), request.command);
        return {};
      },
    });
  }
}
