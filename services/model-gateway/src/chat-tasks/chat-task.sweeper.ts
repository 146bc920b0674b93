import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { EVENTS, NatsClient } from '@parley/nats';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { ChatStoreClient } from './chat-store.client';
import { ChatTaskRunner } from './chat-task.runner';
import { closingDeltas } from './completion-deltas';
import { publishTaskEvent, TASK_STOPPED } from './task-events';
import { TaskRegistryRepository } from './task-registry.repository';

export const INTERRUPTED_ERROR =
  'The server writing this answer stopped before it finished; regenerate it to try again.';

/** Expired leases handled per sweep; the rest wait for the next one. */
const BATCH = 50;

/**
 * Finishes the answers of copies that died: a task whose lease expired (nobody renewed it for
 * CHAT_TASK_LEASE_MS) is taken by one sweeper (an atomic claim in Redis), its answer failed in the chat
 * service with what was saved so far, and its last delta published so open tabs stop waiting. No answer
 * stays "in progress" for longer than a lease and a sweep. Every copy sweeps; the claim makes it once.
 */
@Injectable()
export class ChatTaskSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    @Inject(TaskRegistryRepository) private readonly registry: TaskRegistryRepository,
    @Inject(ChatStoreClient) private readonly chat: ChatStoreClient,
    @Inject(ChatTaskRunner) private readonly runner: ChatTaskRunner,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(MODEL_GATEWAY_CONFIG) private readonly config: ModelGatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.max(250, Math.floor(this.config.CHAT_TASK_LEASE_MS / 3));
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One pass; returns how many answers it finished. */
  async sweep(now = Date.now()): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let finished = 0;
    try {
      for (const taskId of await this.registry.expired(now, BATCH)) {
        if (this.runner.isLocal(taskId)) continue; // ours and alive: the next renewal restores it
        if (!(await this.registry.takeExpired(taskId, now))) continue;
        if (await this.finish(taskId)) finished++;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'chat task sweep failed (Redis?); trying again shortly');
    } finally {
      this.sweeping = false;
    }
    return finished;
  }

  private async finish(taskId: string): Promise<boolean> {
    const task = await this.registry.get(taskId);
    if (!task) return false;
    if (!task.saved) {
      try {
        // As the user who started it (stored with the task), not as this copy.
        await this.chat.fail(task.caller.userId, task.chatId, task.messageId, INTERRUPTED_ERROR);
      } catch (error) {
        if (
          error instanceof DomainError &&
          (error.kind === ErrorKind.Unavailable || error.kind === ErrorKind.DeadlineExceeded)
        ) {
          await this.registry.retryLater(taskId, Date.now() + 5_000);
          return false;
        }
        // The chat or message is gone: nothing is left to finish.
        this.logger.warn({ err: error, taskId }, 'chat task sweeper: the answer could not be failed');
      }
    }
    const error = task.saved ? undefined : INTERRUPTED_ERROR;
    try {
      for (const delta of closingDeltas(task, task.seq, error))
        this.nats.publish(EVENTS.completionDelta.at(task.messageId), delta);
    } catch (failure) {
      this.logger.warn({ err: failure, taskId }, 'chat task sweeper: last delta not published');
    }
    await this.registry.release(task);
    publishTaskEvent(this.nats, this.logger, TASK_STOPPED, task, task.saved ? 'finished' : 'interrupted');
    this.logger.warn(
      { taskId, owner: task.owner, saved: task.saved },
      'chat task of a stopped copy finished',
    );
    return true;
  }
}
