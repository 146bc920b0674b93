import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { GrpcServerHost } from '@parley/grpc';
import { tasksV1 } from '@parley/proto';
import { actingAdmin, actingUser } from '../authorization/acting-user';
import { TaskConfigService } from './task-config.service';
import { TasksService } from './tasks.service';

/** The TasksService contract, mapped onto TasksService and TaskConfigService. */
@Injectable()
export class TasksGrpcHandlers implements OnModuleInit {
  constructor(
    @Inject(GrpcServerHost) private readonly host: GrpcServerHost,
    @Inject(TasksService) private readonly tasks: TasksService,
    @Inject(TaskConfigService) private readonly config: TaskConfigService,
  ) {}

  onModuleInit(): void {
    this.host.addService(tasksV1.TasksService, {
      runTask: async (request, call) => ({
        result: await this.tasks.run(actingUser(call.caller), request, call.signal),
      }),
      getTaskConfig: async (_request, call) => {
        actingUser(call.caller);
        return { configJson: JSON.stringify(await this.config.get()) };
      },
      updateTaskConfig: async (request, call) => {
        actingAdmin(call.caller);
        return { configJson: JSON.stringify(await this.config.update(request.changesJson)) };
      },
    });
  }
}
