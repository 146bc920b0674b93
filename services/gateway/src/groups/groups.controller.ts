import { Controller, Inject, Req } from '@nestjs/common';
import { type AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import { authV1 } from '@parley/proto';
import { nestPermissions } from '../auths/permissions-json';
import { DownstreamClients } from '../downstream/downstream-clients';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { groupsContract as c } from './groups.contract';
import { groupUpdateOf } from './group-update';

function groupJson(group: authV1.Group | undefined) {
  return {
    id: group?.id ?? '',
    name: group?.name ?? '',
    description: group?.description ?? '',
    permissions: nestPermissions(group?.permissions ?? {}),
    user_ids: group?.userIds ?? [],
    created_at: Number(group?.createdAt ?? 0n),
    updated_at: Number(group?.updatedAt ?? 0n),
  };
}

/** Open WebUI's /api/v1/groups routes: groups of users and the permissions they grant. */
@Controller()
export class GroupsController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  @Route(c.list)
  async list(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.list>> {
    return (await this.downstream.auth.listGroups({}, { caller: req.caller })).groups.map(groupJson);
  }

  @Route(c.create)
  async create(
    @RouteInput() { body: input }: Input<typeof c.create>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.create>> {
    const { group } = await this.downstream.auth.createGroup(
      {
        name: input.name,
        description: input.description,
        permissions: input.permissions,
        userIds: input.user_ids,
      },
      { caller: req.caller },
    );
    return groupJson(group);
  }

  @Route(c.get)
  async get(
    @RouteInput() { params }: Input<typeof c.get>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.get>> {
    const { groups } = await this.downstream.auth.listGroups({}, { caller: req.caller });
    const group = groups.find((g) => g.id === params.id);
    if (!group) throw new DomainError(ErrorKind.NotFound, 'No such group.');
    return groupJson(group);
  }

  @Route(c.update)
  async update(
    @RouteInput() { params, body: input }: Input<typeof c.update>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.update>> {
    const { group } = await this.downstream.auth.updateGroup(
      { id: params.id, ...groupUpdateOf(input) },
      { caller: req.caller },
    );
    return groupJson(group);
  }

  @Route(c.delete)
  async delete(
    @RouteInput() { params }: Input<typeof c.delete>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.delete>> {
    await this.downstream.auth.deleteGroup({ id: params.id }, { caller: req.caller });
    return true;
  }
}
