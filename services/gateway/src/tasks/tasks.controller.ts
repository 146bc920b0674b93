import { Controller, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { DownstreamClients } from '../downstream/downstream-clients';
import { tasksContract as c } from './tasks.contract';

/**
 * Open WebUI's task routes for chat completions running in the background: stop one, stop a chat's,
 * list a chat's. Any gateway copy reaches the task on whichever model-gateway copy runs it.
 */
@Controller()
export class TasksController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  @Route(c.stop)
  async stop(
    @RouteInput() { params }: Input<typeof c.stop>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.stop>> {
    await this.downstream.chatTasks.stopTask({ taskId: params.task_id }, { caller: req.caller });
    return { status: true, message: 'Stopping the task.' };
  }

  @Route(c.list)
  async list(
    @RouteInput() { params }: Input<typeof c.list>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.list>> {
    const reply = await this.downstream.chatTasks.listChatTasks(
      { chatId: params.chat_id },
      { caller: req.caller },
    );
    return { task_ids: reply.taskIds };
  }

  @Route(c.stopChat)
  async stopChat(
    @RouteInput() { params }: Input<typeof c.stopChat>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.stopChat>> {
    const reply = await this.downstream.chatTasks.stopChatTasks(
      { chatId: params.chat_id },
      { caller: req.caller },
    );
    return { status: true, task_ids: reply.taskIds };
  }
}
