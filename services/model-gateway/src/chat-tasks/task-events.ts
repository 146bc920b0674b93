import type { Logger } from '@parley/logging';
import type { NatsClient } from '@parley/nats';
import type { TaskRecord } from './task-registry.repository';

/** Subjects realtime turns into `task:started`, `task:stopped` and `chat:title` (docs/realtime-events.md). */
export const TASK_STARTED = 'task.started';
export const TASK_STOPPED = 'task.stopped';
export const CHAT_TITLE_SET = 'chat.title_set';

/** Why a task ended, in `task.stopped`. */
export type TaskEnd = 'finished' | 'failed' | 'stopped' | 'interrupted';

/** Events about tasks; a failed publish is logged (the answer itself is saved either way). */
export function publishTaskEvent(
  nats: NatsClient,
  logger: Logger,
  subject: typeof TASK_STARTED | typeof TASK_STOPPED,
  task: Pick<TaskRecord, 'id' | 'userId' | 'chatId' | 'messageId' | 'model'>,
  reason?: TaskEnd,
): void {
  try {
    nats.publish(subject, {
      v: 1,
      task: {
        id: task.id,
        user_id: task.userId,
        chat_id: task.chatId,
        message_id: task.messageId,
        model_id: task.model,
        ...(reason ? { reason } : {}),
      },
    });
  } catch (error) {
    logger.warn({ err: error, subject, taskId: task.id }, 'task event not published');
  }
}
