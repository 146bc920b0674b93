import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { EVENTS, NatsClient } from '@parley/nats';
import {
  CompletionCaller,
  CompletionsService,
  parseCompletionRequest,
} from '../completions/completions.service';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { QuotaService } from '../quotas/quota.service';
import { ChatStoreClient } from './chat-store.client';
import { ChatTaskRunner } from './chat-task.runner';
import { publishTaskEvent, TASK_STARTED } from './task-events';
import { TaskRecord, TaskRegistryRepository } from './task-registry.repository';

/** Fields of the request that belong to Parley, not to the upstream. */
const TASK_FIELDS = ['chat_id', 'id', 'parent_id', 'session_id', 'message_id'];
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export interface StartChatTask {
  bodyJson: string;
  chatId: string;
  messageId: string;
  parentId: string;
  sessionId: string;
}

const redisDown = (error: unknown) =>
  error instanceof DomainError
    ? error
    : new DomainError(ErrorKind.Unavailable, 'The task registry (Redis) is unavailable; try again shortly.');

/**
 * Chat tasks as callers see them: start (idempotent by message id), stop one or all of a chat's, list
 * a chat's. Every call is the caller's own: another user's task is "not found".
 */
@Injectable()
export class ChatTasksService {
  constructor(
    @Inject(ChatTaskRunner) private readonly runner: ChatTaskRunner,
    @Inject(TaskRegistryRepository) private readonly registry: TaskRegistryRepository,
    @Inject(ChatStoreClient) private readonly chat: ChatStoreClient,
    @Inject(CompletionsService) private readonly completions: CompletionsService,
    @Inject(QuotaService) private readonly quotas: QuotaService,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(MODEL_GATEWAY_CONFIG) private readonly config: ModelGatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(caller: CompletionCaller, input: StartChatTask): Promise<{ taskId: string; created: boolean }> {
    if (this.runner.isDraining)
      throw new DomainError(
        ErrorKind.Unavailable,
        'This model gateway copy is shutting down; send it again.',
      );
    if (!ID.test(input.chatId)) throw new DomainError(ErrorKind.InvalidArgument, 'chat_id is required.');
    if (!ID.test(input.messageId))
      throw new DomainError(
        ErrorKind.InvalidArgument,
        'id (the new answer message id) is required: letters, digits, -, _, . or : (at most 128).',
      );
    if (input.parentId && !ID.test(input.parentId))
      throw new DomainError(ErrorKind.InvalidArgument, 'parent_id is not a valid message id.');
    const body = parseCompletionRequest(input.bodyJson);
    for (const field of TASK_FIELDS) delete body[field];
    body.stream = true;
    // The saved answer carries its token counts: OpenAI-style servers send them only when asked.
    body.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
    // An unknown model, or a preset the caller may not use, is a 404 now, not a failed answer later.
    await this.completions.checkModel(caller, JSON.stringify(body));

    // A retry of a start that went through (same message id): the same task, nothing new.
    const existing = await this.registry
      .taskOfMessage(input.messageId)
      .then((id) => (id ? this.registry.get(id) : undefined))
      .catch((e: unknown) => {
        throw redisDown(e);
      });
    if (existing) {
      if (existing.userId !== caller.userId || existing.chatId !== input.chatId)
        throw new DomainError(ErrorKind.FailedPrecondition, 'This message id is taken; use a new one.');
      return { taskId: existing.id, created: false };
    }
    const running = await this.registry.runningForUser(caller.userId).catch((e: unknown) => {
      throw redisDown(e);
    });
    await this.quotas.admit(caller, body.model);
    if (running >= this.config.CHAT_TASK_MAX_PER_USER)
      throw new DomainError(
        ErrorKind.RateLimited,
        `You have ${running} answers being written already (at most ${this.config.CHAT_TASK_MAX_PER_USER}); ` +
          'wait for one to finish or stop one.',
        { retryAfterSeconds: 5, code: 'TOO_MANY_RUNNING_ANSWERS' },
      );

    const { message, created } = await this.chat.addAnswer(caller.userId, input.chatId, input.parentId, {
      id: input.messageId,
      model: body.model,
    });
    if (!created && message.role !== 'assistant')
      throw new DomainError(
        ErrorKind.FailedPrecondition,
        'id names a message that is not an answer; use a new id for the answer.',
      );
    if (!created && message.done === true)
      throw new DomainError(
        ErrorKind.FailedPrecondition,
        'This answer is already finished; regenerate it to get a new one.',
      );

    const record: Omit<TaskRecord, 'seq' | 'saved'> = {
      id: randomUUID(),
      userId: caller.userId,
      caller,
      chatId: input.chatId,
      messageId: input.messageId,
      model: body.model,
      owner: this.runner.owner,
    };
    const leaseMs = this.config.CHAT_TASK_LEASE_MS;
    const taskId = await this.registry.claim(record, Date.now() + leaseMs, leaseMs).catch((e: unknown) => {
      throw redisDown(e);
    });
    if (taskId !== record.id) return { taskId, created: false }; // a retry raced us

    const messages = body.messages as Array<{ role?: unknown; content?: unknown }>;
    const userMessages = messages.filter((m) => m.role === 'user');
    const last = userMessages[userMessages.length - 1]?.content;
    this.runner.start({
      record,
      bodyJson: JSON.stringify(body),
      firstExchange: userMessages.length === 1,
      prompt: typeof last === 'string' ? last : JSON.stringify(last ?? ''),
    });
    publishTaskEvent(this.nats, this.logger, TASK_STARTED, record);
    return { taskId, created: true };
  }

  /** Stops one of the caller's running tasks wherever it runs. */
  async stop(caller: CompletionCaller, taskId: string): Promise<void> {
    if (!ID.test(taskId)) throw new DomainError(ErrorKind.InvalidArgument, 'task_id is not a valid id.');
    const task = await this.registry.get(taskId).catch((e: unknown) => {
      throw redisDown(e);
    });
    const mayStop = task && (task.userId === caller.userId || caller.role === 'admin');
    if (!task || !mayStop || !(await this.registry.isRunning(taskId)))
      throw new DomainError(ErrorKind.NotFound, 'No such task is running.');
    this.broadcastStop(taskId);
  }

  /** Stops the caller's running tasks in a chat; returns their ids. */
  async stopChat(caller: CompletionCaller, chatId: string): Promise<string[]> {
    const ids = await this.list(caller, chatId);
    for (const id of ids) this.broadcastStop(id);
    return ids;
  }

  /** The caller's tasks running in a chat. */
  async list(caller: CompletionCaller, chatId: string): Promise<string[]> {
    if (!ID.test(chatId)) throw new DomainError(ErrorKind.InvalidArgument, 'chat_id is not a valid id.');
    try {
      const ids = await this.registry.runningInChat(chatId);
      const tasks = await Promise.all(ids.map((id) => this.registry.get(id)));
      return tasks.filter((t): t is TaskRecord => t?.userId === caller.userId).map((t) => t.id);
    } catch (error) {
      throw redisDown(error);
    }
  }

  private broadcastStop(taskId: string): void {
    // This copy first (no round trip), then every other copy; the one running it stops it.
    if (this.runner.stop(taskId, 'stopped')) return;
    this.nats.publish(EVENTS.taskStop.at(this.config.MODEL_GATEWAY_CLUSTER), { taskId });
  }
}
