import { hostname } from 'node:os';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { EVENTS, NatsClient } from '@parley/nats';
import { CompletionsService } from '../completions/completions.service';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { ChatStoreClient } from './chat-store.client';
import { CompletionDeltaStream } from './completion-deltas';
import { publishTaskEvent, TASK_STOPPED, TaskEnd } from './task-events';
import { TaskRecord, TaskRegistryRepository } from './task-registry.repository';
import { TitleGenerator } from './title-generator';

/** Why a task was cut short: a user's stop, this copy shutting down, or its lease taken by a sweeper. */
type StopReason = 'stopped' | 'shutdown' | 'lost';

export interface TaskToRun {
  /** The task, with the user it acts for (record.caller): completions and titles run as that user. */
  record: Omit<TaskRecord, 'seq' | 'saved'>;
  /** The OpenAI request for the upstream (streamed). */
  bodyJson: string;
  /** True when the answer is the chat's first: a title is written after it. */
  firstExchange: boolean;
  /** The user's message, for the title. */
  prompt: string;
}

interface RunningTask {
  record: Omit<TaskRecord, 'seq' | 'saved'>;
  abort: AbortController;
  stopReason?: StopReason;
  finished: Promise<void>;
}

export const SHUTDOWN_ERROR = 'The server restarted while writing this answer; regenerate it to try again.';

/** The broadcast every copy listens to; the copy running the task stops it. */

/** Reads the text and usage out of one OpenAI chat.completion.chunk. */
export function readChunk(chunkJson: string): { text: string; usage?: unknown } {
  try {
    const chunk = JSON.parse(chunkJson) as {
      choices?: Array<{ delta?: { content?: unknown } }>;
      usage?: unknown;
    };
    const content = chunk.choices?.[0]?.delta?.content;
    return { text: typeof content === 'string' ? content : '', usage: chunk.usage ?? undefined };
  } catch {
    return { text: '' };
  }
}

/** True for failures worth trying again (the chat service is restarting or briefly unreachable). */
function isTransient(error: unknown): boolean {
  return (
    error instanceof DomainError &&
    (error.kind === ErrorKind.Unavailable || error.kind === ErrorKind.DeadlineExceeded)
  );
}

/**
 * Runs the chat tasks this copy owns: streams each from the upstream, publishes its deltas, saves the
 * answer every CHAT_TASK_SAVE_INTERVAL_MS and finishes or fails it in the chat service. Holds a lease
 * per task in Redis, renewed every third of CHAT_TASK_LEASE_MS; a copy that dies stops renewing and a
 * sweeper on another copy fails its answers (ChatTaskSweeper). Stops arrive as a NATS broadcast.
 */
@Injectable()
export class ChatTaskRunner implements OnModuleInit, OnModuleDestroy {
  readonly owner = `${hostname()}:${process.pid}`;
  private readonly tasks = new Map<string, RunningTask>();
  private renewTimer?: NodeJS.Timeout;
  private draining = false;

  constructor(
    @Inject(CompletionsService) private readonly completions: CompletionsService,
    @Inject(ChatStoreClient) private readonly chat: ChatStoreClient,
    @Inject(TaskRegistryRepository) private readonly registry: TaskRegistryRepository,
    @Inject(TitleGenerator) private readonly titles: TitleGenerator,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(MODEL_GATEWAY_CONFIG) private readonly config: ModelGatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const every = Math.max(200, Math.floor(this.config.CHAT_TASK_LEASE_MS / 3));
    this.renewTimer = setInterval(() => void this.renewLeases(), every);
    this.renewTimer.unref();
    await this.nats.subscribe(EVENTS.taskStop.at(this.config.MODEL_GATEWAY_CLUSTER), {}, (message) => {
      if (message.taskId) this.stop(message.taskId, 'stopped');
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.renewTimer);
  }

  get isDraining(): boolean {
    return this.draining;
  }

  get runningCount(): number {
    return this.tasks.size;
  }

  isLocal(taskId: string): boolean {
    return this.tasks.has(taskId);
  }

  /** Starts a task in the background; it is not tied to the request that asked for it. */
  start(task: TaskToRun): void {
    const running: RunningTask = {
      record: task.record,
      abort: new AbortController(),
      finished: Promise.resolve(),
    };
    this.tasks.set(task.record.id, running);
    running.finished = this.run(running, task)
      .catch((error) => this.logger.error({ err: error, taskId: task.record.id }, 'chat task crashed'))
      .finally(() => this.tasks.delete(task.record.id));
  }

  /** Stops a task if this copy runs it: the upstream request is aborted at once. */
  stop(taskId: string, reason: StopReason): boolean {
    const task = this.tasks.get(taskId);
    if (!task) return false;
    task.stopReason ??= reason;
    task.abort.abort(new Error(`task ${reason}`));
    return true;
  }

  /**
   * On SIGTERM: take no new tasks, let running ones finish within the grace period, then stop the rest
   * (their partial answers are saved with an error that says to regenerate).
   */
  async drain(budgetMs: number): Promise<void> {
    this.draining = true;
    const all = () => Promise.all([...this.tasks.values()].map((t) => t.finished));
    const within = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
    // Most of the budget to finish; the rest to stop what is left and save its partial answer.
    const stopMs = Math.min(10_000, Math.max(500, Math.floor(budgetMs / 5)));
    await Promise.race([all(), within(Math.max(0, budgetMs - stopMs))]);
    if (!this.tasks.size) return;
    this.logger.warn({ tasks: this.tasks.size }, 'chat tasks still running at the end of the grace period');
    for (const id of this.tasks.keys()) this.stop(id, 'shutdown');
    await Promise.race([all(), within(stopMs)]);
  }

  private async renewLeases(): Promise<void> {
    if (!this.tasks.size) return;
    try {
      const lost = await this.registry.renew(
        [...this.tasks.values()].map((t) => t.record),
        Date.now() + this.config.CHAT_TASK_LEASE_MS,
      );
      for (const id of lost) {
        this.logger.warn({ taskId: id }, 'chat task lease was taken by a sweeper; stopping it here');
        this.stop(id, 'lost');
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'chat task leases not renewed (Redis); retrying');
    }
  }

  private async run(running: RunningTask, task: TaskToRun): Promise<void> {
    const { record } = running;
    const { signal } = running.abort;
    const deltas = new CompletionDeltaStream(
      record,
      this.nats,
      (seq) => this.registry.recordSeq(record.id, seq),
      this.config.CHAT_TASK_DELTA_COALESCE_MS,
      this.logger,
    );
    let content = '';
    let usage: unknown;
    let sources: unknown[] | undefined;
    let error: string | undefined;
    let lastSaveAt = Date.now();
    let saving: Promise<void> | undefined;
    try {
      for await (const event of this.completions.stream(record.caller, task.bodyJson, signal)) {
        if ('error' in event) {
          error = event.error.message;
          break;
        }
        if ('sources' in event) {
          sources = event.sources;
          deltas.cite(sources);
          continue;
        }
        const chunk = readChunk(event.chunk);
        if (chunk.usage) usage = chunk.usage;
        if (chunk.text) {
          content += chunk.text;
          deltas.push(chunk.text);
        }
        if (!saving && Date.now() - lastSaveAt >= this.config.CHAT_TASK_SAVE_INTERVAL_MS) {
          lastSaveAt = Date.now();
          saving = this.chat
            .savePartial(record.userId, record.chatId, record.messageId, content)
            .catch((failure: unknown) =>
              this.logger.warn({ err: failure, taskId: record.id }, 'chat task: partial save failed'),
            )
            .finally(() => (saving = undefined));
        }
      }
    } catch (failure) {
      if (!signal.aborted) {
        this.logger.warn({ err: failure, taskId: record.id }, 'chat task: the completion failed');
        error =
          failure instanceof DomainError ? failure.message : 'The answer failed; regenerate it to try again.';
      }
    }
    await saving;
    if (running.stopReason === 'lost') return; // the sweeper that took the lease finishes the answer
    if (running.stopReason === 'shutdown') error ??= SHUTDOWN_ERROR;

    const end: TaskEnd = error ? 'failed' : running.stopReason === 'stopped' ? 'stopped' : 'finished';
    const saved = await this.persist(record, content, error, { usage, sources });
    if (saved)
      await this.registry
        .markSaved(record.id)
        .catch((failure: unknown) => this.logger.warn({ err: failure }, 'chat task: not marked saved'));
    await deltas.end(error);
    // Unsaved: keep the lease entry, which expires now that nobody renews it, so a sweeper retries.
    if (saved)
      await this.registry
        .release(record)
        .catch((failure: unknown) => this.logger.warn({ err: failure }, 'chat task: release failed'));
    publishTaskEvent(this.nats, this.logger, TASK_STOPPED, record, end);
    this.logger.info(
      { taskId: record.id, end, chars: content.length, deltas: deltas.publishedSeq },
      'chat task ended',
    );
    if (end === 'finished' && task.firstExchange) void this.titles.generate(record, task.prompt, content);
  }

  /** The final write, retried while the chat service is briefly away (the lease is still renewed). */
  private async persist(
    record: TaskRunningRecord,
    content: string,
    error: string | undefined,
    extra: { usage?: unknown; sources?: unknown[] },
  ): Promise<boolean> {
    const write = async () => {
      if (error) {
        await this.chat.savePartial(record.userId, record.chatId, record.messageId, content);
        await this.chat.fail(record.userId, record.chatId, record.messageId, error);
      } else {
        await this.chat.finish(record.userId, record.chatId, record.messageId, content, {
          ...(extra.usage ? { usage: extra.usage } : {}),
          ...(extra.sources?.length ? { sources: extra.sources } : {}),
        });
      }
    };
    for (let attempt = 1, wait = 200; ; attempt++, wait = Math.min(wait * 2, 5_000)) {
      try {
        await write();
        return true;
      } catch (failure) {
        if (!isTransient(failure) || attempt >= 15) {
          this.logger.error(
            { err: failure, taskId: record.id, attempt },
            'chat task: the answer could not be saved',
          );
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }
}

type TaskRunningRecord = Omit<TaskRecord, 'seq' | 'saved'>;
