import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { tasksV1 } from '@parley/proto';
import type { ActingUser } from '../authorization/acting-user';
import { CompletionsService } from '../completions/completions.service';
import { ModelsService } from '../models/models.service';
import { TaskConfig, TaskConfigService } from './task-config.service';
import { DEFAULT_TEMPLATES, renderTemplate, TaskMessage } from './task-prompts';

const { TaskKind } = tasksV1;
const MAX_MESSAGES = 200;
const MAX_PROMPT_CHARS = 20_000;

const invalid = (message: string) => new DomainError(ErrorKind.InvalidArgument, message);

/** Per task: its switch, the admin's template, Parley's template, and how long an answer may be. */
function plan(kind: tasksV1.TaskKind, type: string, c: TaskConfig) {
  switch (kind) {
    case TaskKind.TITLE:
      return {
        on: c.ENABLE_TITLE_GENERATION,
        off: 'Title generation is disabled',
        template: c.TITLE_GENERATION_PROMPT_TEMPLATE || DEFAULT_TEMPLATES.title,
        maxTokens: 50,
      };
    case TaskKind.TAGS:
      return {
        on: c.ENABLE_TAGS_GENERATION,
        off: 'Tags generation is disabled',
        template: c.TAGS_GENERATION_PROMPT_TEMPLATE || DEFAULT_TEMPLATES.tags,
        maxTokens: 100,
      };
    case TaskKind.FOLLOW_UPS:
      return {
        on: c.ENABLE_FOLLOW_UP_GENERATION,
        off: 'Follow-up generation is disabled',
        template: c.FOLLOW_UP_GENERATION_PROMPT_TEMPLATE || DEFAULT_TEMPLATES.followUps,
        maxTokens: 300,
      };
    case TaskKind.QUERIES: {
      if (type !== 'web_search' && type !== 'retrieval')
        throw invalid('type must be "web_search" or "retrieval".');
      const on =
        type === 'web_search' ? c.ENABLE_SEARCH_QUERY_GENERATION : c.ENABLE_RETRIEVAL_QUERY_GENERATION;
      return {
        on,
        off: type === 'web_search' ? 'Search query generation is disabled' : 'Query generation is disabled',
        template: c.QUERY_GENERATION_PROMPT_TEMPLATE || DEFAULT_TEMPLATES.queries,
        maxTokens: 200,
      };
    }
    case TaskKind.AUTOCOMPLETE:
      return {
        on: c.ENABLE_AUTOCOMPLETE_GENERATION,
        off: 'Autocompletion generation is disabled',
        template: c.AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE || DEFAULT_TEMPLATES.autocomplete,
        maxTokens: 60,
      };
    case TaskKind.EMOJI:
      return { on: true, off: '', template: DEFAULT_TEMPLATES.emoji, maxTokens: 4 };
    default:
      throw invalid('kind must name a task (title, tags, follow-ups, queries, autocomplete or emoji).');
  }
}

/**
 * Runs a conversation task as one non-streamed completion for the acting user (their model access and
 * usage), with the task model: TASK_MODEL when the conversation's model is served by a local (Ollama)
 * connection, TASK_MODEL_EXTERNAL otherwise, and the conversation's own model when that one is empty
 * (Open WebUI's rule). Nothing here waits on an answer being written: clients call it beside the chat.
 */
@Injectable()
export class TasksService {
  constructor(
    @Inject(TaskConfigService) private readonly config: TaskConfigService,
    @Inject(CompletionsService) private readonly completions: CompletionsService,
    @Inject(ModelsService) private readonly models: ModelsService,
  ) {}

  async run(
    caller: ActingUser,
    request: tasksV1.RunTaskRequest,
    signal: AbortSignal,
    now = new Date(),
  ): Promise<tasksV1.RunTaskResponse['result']> {
    if (!request.model) throw invalid('model is required: the model of the conversation.');
    if (request.prompt.length > MAX_PROMPT_CHARS)
      throw invalid(`prompt is longer than ${MAX_PROMPT_CHARS} characters.`);
    const messages = parseMessages(request.messagesJson);
    const config = await this.config.get();
    const task = plan(request.kind, request.type, config);
    if (!task.on) return { case: 'disabled', value: task.off };
    if (request.kind === TaskKind.AUTOCOMPLETE) {
      const max = config.AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH;
      if (max >= 0 && request.prompt.length > max)
        throw new DomainError(
          ErrorKind.InvalidArgument,
          `The text is longer than AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH (${max} characters).`,
          { code: 'INPUT_TOO_LONG' },
        );
    }
    // The conversation's model must be one the caller may use (404 otherwise, as Open WebUI), even
    // when the task runs with another.
    await this.completions.checkModel(
      caller,
      JSON.stringify({ model: request.model, messages: [{ role: 'user', content: '' }] }),
    );
    const content = renderTemplate(task.template, {
      messages,
      prompt: request.prompt,
      type: request.type || 'general',
      now,
    });
    const body = {
      model: await this.taskModel(request.model, config),
      stream: false,
      max_tokens: task.maxTokens,
      messages: [{ role: 'user', content }],
    };
    const result = await this.completions.complete(caller, JSON.stringify(body), signal);
    if ('error' in result)
      throw new DomainError(ErrorKind.Unavailable, `The task model did not answer: ${result.error.message}`, {
        code: 'TASK_MODEL_FAILED',
      });
    return { case: 'completionJson', value: result.json };
  }

  /** Whether chats get titles after their first answer (ENABLE_TITLE_GENERATION as it applies now). */
  async titlesOn(): Promise<boolean> {
    return (await this.config.get()).ENABLE_TITLE_GENERATION;
  }

  /** The model a task on a conversation with `model` runs with. */
  async taskModelFor(model: string): Promise<string> {
    return this.taskModel(model, await this.config.get());
  }

  private async taskModel(model: string, config: TaskConfig): Promise<string> {
    const listed = (await this.models.list()).find((m) => m.id === model);
    const local = listed?.servedBy[0]?.connection.connectionType === 'local';
    return (local ? config.TASK_MODEL : config.TASK_MODEL_EXTERNAL) || model;
  }
}

function parseMessages(json: string): TaskMessage[] {
  if (!json) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw invalid('messages must be a JSON array of {role, content}.');
  }
  if (!Array.isArray(value)) throw invalid('messages must be a JSON array of {role, content}.');
  if (value.length > MAX_MESSAGES) throw invalid(`messages may hold at most ${MAX_MESSAGES} messages.`);
  return value.map((m, i) => {
    if (typeof m !== 'object' || m === null || typeof (m as { role?: unknown }).role !== 'string')
      throw invalid(`messages[${i}] must be an object with a role.`);
    return m as TaskMessage;
  });
}
