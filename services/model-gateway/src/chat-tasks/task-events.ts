import type { Logger } from '@parley/logging';
import { EVENT_VERSION, EVENTS, type NatsClient } from '@parley/nats';
import type { TaskRecord } from './task-registry.repository';

/** Events realtime turns into `task:started`, `task:stopped` and `chat:title` (docs/realtime-events.md). */
export const TASK_STARTED = EVENTS.taskStarted;
export const TASK_STOPPED = EVENTS.taskStopped;

/** Why a task ended, in `task.stopped`. */
export type TaskEnd = 'finished' | 'failed' | 'stopped' | 'interrupted';

/** Events about tasks; a failed publish is logged (the answer itself is saved either way). */
export function publishTaskEvent(
  nats: NatsClient,
  logger: Logger,
  event: typeof TASK_STARTED | typeof TASK_STOPPED,
  task: Pick<TaskRecord, 'id' | 'userId' | 'chatId' | 'messageId' | 'model'>,
  reason?: TaskEnd,
): void {
  try {
    nats.publish(event, {
      v: EVENT_VERSION,
      task: {
        id: task.id,
        userId: task.userId,
        chatId: task.chatId,
        messageId: task.messageId,
        modelId: task.model,
        ...(reason ? { reason } : {}),
      },
    });
  } catch (error) {
    logger.warn({ err: error, subject: event.subject, taskId: task.id }, 'task event not published');
  }
}
