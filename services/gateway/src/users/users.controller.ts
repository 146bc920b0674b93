import { Body, Controller, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import { authV1 } from '@parley/proto';
import { roleValue, userJson } from '../auths/user-json';
import { DownstreamClients } from '../downstream/downstream-clients';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { usersContract as c } from './users.contract';

/** Open WebUI's /api/v1/users routes (user administration). */
@Controller()
export class UsersController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  @Route(c.list)
  async list(
    @RouteInput() { query: { query: text, page } }: Input<typeof c.list>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.list>> {
    const reply = await this.downstream.auth.listUsers({ query: text, page }, { caller: req.caller });
    return { users: reply.users.map(userJson), total: reply.total };
  }

  /** The caller's effective permissions. */
  @Route(c.permissions)
  async permissionsOfCaller(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.permissions>> {
    return (await this.downstream.auth.getPermissions({}, { caller: req.caller })).permissions;
  }

  /** The caller's own UI settings (Open WebUI's shape: `{ "ui": { ... } }`); `{}` until saved. */
  @Route(c.settings)
  async settingsOfCaller(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.settings>> {
    const { settingsJson } = await this.downstream.auth.getUserSettings({}, { caller: req.caller });
    return JSON.parse(settingsJson) as Result<typeof c.settings>;
  }

  /**
   * Replaces the caller's settings with the body (a JSON object; the auth service limits its size). It
   * checks the body itself: this route has answered INVALID_ARGUMENT for a non-object since before the
   * contracts, and clients branch on the code.
   */
  @Route(c.updateSettings)
  async updateSettingsOfCaller(
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.updateSettings>> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new DomainError(ErrorKind.InvalidArgument, 'The settings must be a JSON object.');
    const { settingsJson } = await this.downstream.auth.updateUserSettings(
      { settingsJson: JSON.stringify(body) },
      { caller: req.caller },
    );
    return JSON.parse(settingsJson) as Result<typeof c.updateSettings>;
  }

  @Route(c.get)
  async get(
    @RouteInput() { params }: Input<typeof c.get>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.get>> {
    return userJson((await this.downstream.auth.getUser({ id: params.id }, { caller: req.caller })).user);
  }

  @Route(c.update)
  async update(
    @RouteInput() { params, body: input }: Input<typeof c.update>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.update>> {
    const { user } = await this.downstream.auth.updateUser(
      {
        id: params.id,
        name: input.name,
        email: input.email,
        role: input.role ? roleValue(input.role) : authV1.Role.UNSPECIFIED,
        password: input.password || undefined,
        profileImageUrl: input.profile_image_url,
      },
      { caller: req.caller },
    );
    return userJson(user);
  }

  @Route(c.delete)
  async delete(
    @RouteInput() { params }: Input<typeof c.delete>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.delete>> {
    await this.downstream.auth.deleteUser({ id: params.id }, { caller: req.caller });
    return true;
  }
}
