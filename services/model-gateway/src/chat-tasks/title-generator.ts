import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, Logger } from '@parley/logging';
import { EVENT_VERSION, EVENTS, NatsClient } from '@parley/nats';
import { CompletionsService } from '../completions/completions.service';
import { TasksService } from '../tasks/tasks.service';
import { ChatStoreClient } from './chat-store.client';
import type { TaskRecord } from './task-registry.repository';

/** The title a chat has until one is written (the chat service's default). */
export const DEFAULT_CHAT_TITLE = 'New Chat';
const MAX_TITLE_CHARS = 80;
const EXCERPT_CHARS = 1_500;

/** The model's answer made into a title: the first line, without quotes, markup or a final period. */
export function cleanTitle(raw: string): string {
  const line =
    raw
      .replace(/<think>[\s\S]*?<\/think>/g, '')
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? '';
  const title = line
    .replace(/\*\*|__|`/g, '') // Markdown emphasis and code marks: a title is plain text
    .replace(/^(title|titel)\s*:\s*/i, '')
    .replace(/^[#*\s"'“”‘’`]+|[*\s"'“”‘’`]+$/g, '')
    .replace(/[.:;,]+$/, '')
    .trim();
  return title.length > MAX_TITLE_CHARS ? `${title.slice(0, MAX_TITLE_CHARS - 1).trimEnd()}…` : title;
}

/**
 * Writes a chat's title after its first answer, with the task model (docs/tasks.md), in the
 * background: the user's tabs get `chat:title` when it is set. A chat renamed meanwhile keeps its name.
 */
@Injectable()
export class TitleGenerator {
  constructor(
    @Inject(CompletionsService) private readonly completions: CompletionsService,
    @Inject(ChatStoreClient) private readonly chat: ChatStoreClient,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(TasksService) private readonly tasks: TasksService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Runs as the task's stored user (task.caller), whichever copy finished the answer. */
  async generate(
    task: Pick<TaskRecord, 'userId' | 'caller' | 'chatId' | 'model'>,
    prompt: string,
    answer: string,
  ): Promise<string | undefined> {
    try {
      // ENABLE_TITLE_GENERATION as the admin set it (or the environment's): off, no title is written.
      if (!(await this.tasks.titlesOn())) return undefined;
      if ((await this.chat.title(task.userId, task.chatId)) !== DEFAULT_CHAT_TITLE) return undefined;
      const request = {
        model: await this.tasks.taskModelFor(task.model),
        stream: false,
        max_tokens: 40,
        temperature: 0.2,
        messages: [
          {
            role: 'user',
            content:
              'Write a title of three to six words for the conversation below, in its language. ' +
              'Answer with the title only: no quotes, no punctuation at the end.\n\n' +
              `User: ${prompt.slice(0, EXCERPT_CHARS)}\n\nAssistant: ${answer.slice(0, EXCERPT_CHARS)}`,
          },
        ],
      };
      const signal = AbortSignal.timeout(30_000);
      const result = await this.completions.complete(task.caller, JSON.stringify(request), signal);
      if ('error' in result) {
        this.logger.warn({ chatId: task.chatId, error: result.error.message }, 'title not generated');
        return undefined;
      }
      const completion = JSON.parse(result.json) as { choices?: Array<{ message?: { content?: unknown } }> };
      const content = completion.choices?.[0]?.message?.content;
      const title = cleanTitle(typeof content === 'string' ? content : '');
      if (!title) return undefined;
      // Renamed by the user while the title was being written: theirs wins.
      if ((await this.chat.title(task.userId, task.chatId)) !== DEFAULT_CHAT_TITLE) return undefined;
      await this.chat.setTitle(task.userId, task.chatId, title);
      this.nats.publish(EVENTS.chatTitleSet, {
        v: EVENT_VERSION,
        chat: { id: task.chatId, userId: task.userId, title },
      });
      return title;
    } catch (error) {
      this.logger.warn({ err: error, chatId: task.chatId }, 'title not generated');
      return undefined;
    }
  }
}
