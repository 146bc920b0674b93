import { Controller, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { tasksV1 } from '@parley/proto';
import { DownstreamClients } from '../downstream/downstream-clients';
import { ModelCatalogClients } from '../presets/model-catalog-clients';
import { tasksContract as c, taskForm } from './tasks.contract';

const { TaskKind } = tasksV1;
type TaskBody = ReturnType<typeof taskForm.parse>;
/** A task is one completion: longer than a plain call may take, shorter than a streamed answer. */
const TASK_DEADLINE_MS = 120_000;

/**
 * Open WebUI's task routes: for chat completions running in the background (stop one, stop a chat's,
 * list a chat's; any gateway copy reaches the task on whichever model-gateway copy runs it), and the
 * conversation tasks of /api/v1/tasks (title, tags, follow-ups, queries, autocomplete, emoji), run by
 * the model gateway with the task model (docs/tasks.md).
 */
@Controller()
export class TasksController {
  constructor(
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
    @Inject(ModelCatalogClients) private readonly catalog: ModelCatalogClients,
  ) {}

  @Route(c.config)
  async config(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.config>> {
    const { configJson } = await this.catalog.tasks.getTaskConfig({}, { caller: req.caller });
    return JSON.parse(configJson) as Result<typeof c.config>;
  }

  @Route(c.updateConfig)
  async updateConfig(
    @RouteInput() { body }: Input<typeof c.updateConfig>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.updateConfig>> {
    const { configJson } = await this.catalog.tasks.updateTaskConfig(
      { changesJson: JSON.stringify(body) },
      { caller: req.caller },
    );
    return JSON.parse(configJson) as Result<typeof c.updateConfig>;
  }

  @Route(c.title)
  title(@RouteInput() { body }: Input<typeof c.title>, @Req() req: AuthenticatedRequest) {
    return this.run(TaskKind.TITLE, body, req);
  }

  @Route(c.tags)
  tags(@RouteInput() { body }: Input<typeof c.tags>, @Req() req: AuthenticatedRequest) {
    return this.run(TaskKind.TAGS, body, req);
  }

  @Route(c.followUps)
  followUps(@RouteInput() { body }: Input<typeof c.followUps>, @Req() req: AuthenticatedRequest) {
    return this.run(TaskKind.FOLLOW_UPS, body, req);
  }

  @Route(c.queries)
  queries(@RouteInput() { body }: Input<typeof c.queries>, @Req() req: AuthenticatedRequest) {
    return this.run(TaskKind.QUERIES, body, req);
  }

  @Route(c.autocomplete)
  autocomplete(@RouteInput() { body }: Input<typeof c.autocomplete>, @Req() req: AuthenticatedRequest) {
    return this.run(TaskKind.AUTOCOMPLETE, body, req);
  }

  @Route(c.emoji)
  emoji(@RouteInput() { body }: Input<typeof c.emoji>, @Req() req: AuthenticatedRequest) {
    return this.run(TaskKind.EMOJI, body, req);
  }

  /** One task; a task the admin switched off answers `{detail}` with 200, as Open WebUI does. */
  private async run(
    kind: tasksV1.TaskKind,
    body: TaskBody,
    req: AuthenticatedRequest,
  ): Promise<Record<string, unknown>> {
    const { result } = await this.catalog.tasks.runTask(
      {
        kind,
        model: body.model,
        messagesJson: JSON.stringify(body.messages),
        prompt: body.prompt,
        type: body.type,
      },
      { caller: req.caller, deadlineMs: TASK_DEADLINE_MS },
    );
    if (result.case === 'disabled') return { detail: result.value };
    return JSON.parse(result.value ?? '{}') as Record<string, unknown>;
  }

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
