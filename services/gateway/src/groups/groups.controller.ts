import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { AdminOnly, type AuthenticatedRequest } from '@parley/auth-guard';
import { z } from '@parley/config';
import { DomainError, ErrorKind } from '@parley/errors';
import { authV1 } from '@parley/proto';
import { DownstreamClients } from '../downstream/downstream-clients';
import { parseBody } from '../validation/parse-body';

const permissions = z.record(z.boolean({ invalid_type_error: 'must be true or false' }));
const createBody = z.object({
  name: z.string({ invalid_type_error: 'must be a string' }).max(100, 'must be at most 100 characters'),
  description: z.string().max(2_000, 'must be at most 2000 characters').default(''),
  permissions: permissions.default({}),
  user_ids: z.array(z.string()).max(10_000, 'must list at most 10000 users').default([]),
});
const updateBody = createBody.partial();

function groupJson(group: authV1.Group | undefined) {
  return {
    id: group?.id ?? '',
    name: group?.name ?? '',
    description: group?.description ?? '',
    permissions: group?.permissions ?? {},
    user_ids: group?.userIds ?? [],
    created_at: Number(group?.createdAt ?? 0n),
    updated_at: Number(group?.updatedAt ?? 0n),
  };
}

/** Open WebUI's /api/v1/groups routes: groups of users and the permissions they grant. */
@AdminOnly()
@Controller('api/v1/groups')
export class GroupsController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  @Get()
  async list(@Req() req: AuthenticatedRequest) {
    return (await this.downstream.auth.listGroups({}, { caller: req.caller })).groups.map(groupJson);
  }

  @Post('create')
  @HttpCode(200)
  async create(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const input = parseBody(createBody, body);
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

  @Get('id/:id')
  async get(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    const { groups } = await this.downstream.auth.listGroups({}, { caller: req.caller });
    const group = groups.find((g) => g.id === id);
    if (!group) throw new DomainError(ErrorKind.NotFound, 'No such group.');
    return groupJson(group);
  }

  @Post('id/:id/update')
  @HttpCode(200)
  async update(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const input = parseBody(updateBody, body);
    const { group } = await this.downstream.auth.updateGroup(
      {
        id,
        name: input.name,
        description: input.description,
        permissions: input.permissions ?? {},
        setPermissions: input.permissions !== undefined,
        userIds: input.user_ids ?? [],
        setUserIds: input.user_ids !== undefined,
      },
      { caller: req.caller },
    );
    return groupJson(group);
  }

  @Delete('id/:id/delete')
  async delete(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    await this.downstream.auth.deleteGroup({ id }, { caller: req.caller });
    return true;
  }
}
