import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { toAccessControl } from '@parley/grpc';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { Prompt, PromptInput } from './prompt';

type Row = Awaited<ReturnType<PrismaService['prompt']['findFirstOrThrow']>>;

function toPrompt(row: Row): Prompt {
  return {
    command: row.command,
    userId: row.userId,
    title: row.title,
    content: row.content,
    accessControl: toAccessControl(row.accessControl),
    updatedAt: row.updatedAt,
  };
}

function columns(input: PromptInput) {
  return {
    title: input.title,
    content: input.content,
    accessControl: input.accessControl === null ? Prisma.DbNull : (input.accessControl as object),
  };
}

/** The prompts table (read on demand: only the workspace and the composer's "/" ask for prompts). */
@Injectable()
export class PromptsRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  async all(): Promise<Prompt[]> {
    return (await this.prisma.prompt.findMany({ orderBy: [{ updatedAt: 'desc' }, { command: 'asc' }] })).map(
      toPrompt,
    );
  }

  async get(command: string): Promise<Prompt | undefined> {
    const row = await this.prisma.prompt.findUnique({ where: { command } });
    return row ? toPrompt(row) : undefined;
  }

  async create(userId: string, input: PromptInput): Promise<Prompt> {
    try {
      return toPrompt(
        await this.prisma.prompt.create({ data: { command: input.command, userId, ...columns(input) } }),
      );
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002')
        throw new DomainError(
          ErrorKind.AlreadyExists,
          `The command "${input.command}" is already registered; choose another command.`,
          { code: 'COMMAND_TAKEN' },
        );
      throw error;
    }
  }

  async update(command: string, input: PromptInput): Promise<Prompt | undefined> {
    const { count } = await this.prisma.prompt.updateMany({
      where: { command },
      data: { ...columns(input), updatedAt: new Date() },
    });
    return count ? this.get(command) : undefined;
  }

  async delete(command: string): Promise<boolean> {
    return (await this.prisma.prompt.deleteMany({ where: { command } })).count > 0;
  }
}
