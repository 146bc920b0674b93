import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { Accessor, canRead, canWrite } from '@parley/grpc';
import { normalizeCommand, Prompt, PromptInput, validatePromptInput } from './prompt';
import { PromptsRepository } from './prompts.repository';

export type VisiblePrompt = Prompt & { writable: boolean };

const notFound = (command: string) =>
  new DomainError(ErrorKind.NotFound, `Prompt not found: ${command}`, { code: 'PROMPT_NOT_FOUND' });

/**
 * Prompts and who may use them, as presets: a prompt the caller may not read does not exist for them
 * (left out of lists, "not found"); admins read and write everything; the owner and `write` may change.
 */
@Injectable()
export class PromptsService {
  constructor(@Inject(PromptsRepository) private readonly prompts: PromptsRepository) {}

  private view(who: Accessor, prompt: Prompt): VisiblePrompt {
    return { ...prompt, writable: canWrite(who, prompt) };
  }

  async list(who: Accessor, writableOnly = false): Promise<VisiblePrompt[]> {
    return (await this.prompts.all())
      .filter((p) => (writableOnly ? canWrite(who, p) : canRead(who, p)))
      .map((p) => this.view(who, p));
  }

  async get(who: Accessor, command: string): Promise<VisiblePrompt> {
    return this.view(who, await this.readableOrThrow(who, normalizeCommand(command)));
  }

  async create(who: Accessor, input: PromptInput): Promise<VisiblePrompt> {
    const next = { ...input, command: normalizeCommand(input.command) };
    validatePromptInput(next);
    return this.view(who, await this.prompts.create(who.userId, next));
  }

  async update(who: Accessor, command: string, input: PromptInput): Promise<VisiblePrompt> {
    const stored = normalizeCommand(command);
    await this.writableOrThrow(who, stored);
    if (input.command.trim() && normalizeCommand(input.command) !== stored)
      throw new DomainError(
        ErrorKind.InvalidArgument,
        'A prompt command cannot change; create a new prompt and delete this one.',
      );
    const next = { ...input, command: stored };
    validatePromptInput(next);
    const updated = await this.prompts.update(stored, next);
    if (!updated) throw notFound(stored);
    return this.view(who, updated);
  }

  async delete(who: Accessor, command: string): Promise<void> {
    const stored = normalizeCommand(command);
    await this.writableOrThrow(who, stored);
    if (!(await this.prompts.delete(stored))) throw notFound(stored);
  }

  private async readableOrThrow(who: Accessor, command: string): Promise<Prompt> {
    const prompt = await this.prompts.get(command);
    if (!prompt || !canRead(who, prompt)) throw notFound(command);
    return prompt;
  }

  private async writableOrThrow(who: Accessor, command: string): Promise<Prompt> {
    const prompt = await this.readableOrThrow(who, command);
    if (!canWrite(who, prompt))
      throw new DomainError(
        ErrorKind.PermissionDenied,
        `You may use the prompt "${command}" but not change it; ask its owner or an administrator.`,
      );
    return prompt;
  }
}
