import { Controller, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DownstreamClients } from '../downstream/downstream-clients';

/**
 * Open WebUI's task routes for chat completions running in the background: stop one, stop a chat's,
 * list a chat's. Any gateway copy reaches the task on whichever model-gateway copy runs it.
 */
@Controller('api/tasks')
export class TasksController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  @Post('stop/:task_id')
  @HttpCode(200)
  async stop(@Param('task_id') taskId: string, @Req() req: AuthenticatedRequest) {
    await this.downstream.chatTasks.stopTask({ taskId }, { caller: req.caller });
    return { status: true, message: 'Stopping the task.' };
  }

  @Get('chat/:chat_id')
  async list(@Param('chat_id') chatId: string, @Req() req: AuthenticatedRequest) {
    const reply = await this.downstream.chatTasks.listChatTasks({ chatId }, { caller: req.caller });
    return { task_ids: reply.taskIds };
  }

  @Post('chat/:chat_id/stop')
  @HttpCode(200)
  async stopChat(@Param('chat_id') chatId: string, @Req() req: AuthenticatedRequest) {
    const reply = await this.downstream.chatTasks.stopChatTasks({ chatId }, { caller: req.caller });
    return { status: true, task_ids: reply.taskIds };
  }
}
