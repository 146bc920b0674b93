import { Body, Controller, Inject, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import { authV1 } from '@parley/proto';
import { nestPermissions } from '../auths/permissions-json';
import { roleValue, userJson } from '../auths/user-json';
import { DownstreamClients } from '../downstream/downstream-clients';
import type { RouteInput as Input, RouteResult as Result, RouteSpec } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { usersContract as c } from './users.contract';

/** Sends a route's JSON answer itself: Nest would send `null` as an empty body, Open WebUI sends `null`. */
function sendJson<T extends RouteSpec>(res: Response, body: Result<T>): void {
  res.status(200).json(body);
}

/** Open WebUI counts a user active who made a request in the last three minutes. */
const ACTIVE_WINDOW_SECONDS = 180;
const isActive = (lastActiveAt: bigint) =>
  lastActiveAt > 0n && Date.now() / 1000 - Number(lastActiveAt) < ACTIVE_WINDOW_SECONDS;
/** The most users /users/all gathers, page by page (Open WebUI answers them all at once). */
const ALL_USERS_LIMIT = 100_000;

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

  /** Every user: the auth service's pages, gathered (declared before /{id}, which would catch it). */
  @Route(c.all)
  async all(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.all>> {
    const users: authV1.User[] = [];
    let total = 0;
    for (let page = 1; users.length < ALL_USERS_LIMIT; page++) {
      const reply = await this.downstream.auth.listUsers({ query: '', page }, { caller: req.caller });
      total = reply.total;
      users.push(...reply.users);
      if (!reply.users.length || users.length >= total) break;
    }
    return { users: users.map(userJson), total };
  }

  /** The caller's effective permissions, nested as Open WebUI's (`permissions.chat.delete`). */
  @Route(c.permissions)
  async permissionsOfCaller(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.permissions>> {
    return nestPermissions(
      (await this.downstream.auth.getPermissions({}, { caller: req.caller })).permissions,
    );
  }

  @Route(c.defaultPermissions)
  async defaultPermissions(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.defaultPermissions>> {
    const { permissions } = await this.downstream.auth.getDefaultPermissions({}, { caller: req.caller });
    return nestPermissions(permissions);
  }

  /** The caller's own UI settings (Open WebUI's shape: `{ "ui": { ... } }`); null until saved, as Open WebUI. */
  @Route(c.settings)
  async settingsOfCaller(@Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    const { settingsJson } = await this.downstream.auth.getUserSettings({}, { caller: req.caller });
    const settings = JSON.parse(settingsJson) as Result<typeof c.updateSettings>;
    sendJson<typeof c.settings>(res, Object.keys(settings).length ? settings : null);
  }

  @Route(c.info)
  async infoOfCaller(@Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    const { infoJson } = await this.downstream.auth.getUserInfo({}, { caller: req.caller });
    sendJson<typeof c.info>(res, infoJson ? (JSON.parse(infoJson) as Record<string, unknown>) : null);
  }

  @Route(c.updateInfo)
  async updateInfoOfCaller(
    @RouteInput() { body }: Input<typeof c.updateInfo>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.updateInfo>> {
    const { infoJson } = await this.downstream.auth.updateUserInfo(
      { infoJson: JSON.stringify(body) },
      { caller: req.caller },
    );
    return JSON.parse(infoJson) as Record<string, unknown>;
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

  /**
   * Any signed-in user may see another's name, picture and whether they are active (Open WebUI's
   * UserResponse, for chat and share headers); email, role and the rest stay with admins and the user.
   */
  @Route(c.get)
  async get(
    @RouteInput() { params }: Input<typeof c.get>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.get>> {
    const caller = { caller: req.caller };
    if (req.user.role === 'admin') {
      const { user } = await this.downstream.auth.getUser({ id: params.id }, caller);
      return { ...userJson(user), active: isActive(user?.lastActiveAt ?? 0n) };
    }
    const profile = await this.downstream.auth.getPublicProfile({ id: params.id }, caller);
    return {
      name: profile.name,
      profile_image_url: profile.profileImageUrl,
      active: isActive(profile.lastActiveAt),
    };
  }

  @Route(c.active)
  async active(
    @RouteInput() { params }: Input<typeof c.active>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.active>> {
    const profile = await this.downstream.auth.getPublicProfile({ id: params.id }, { caller: req.caller });
    return { active: isActive(profile.lastActiveAt) };
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
