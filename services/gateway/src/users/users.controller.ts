import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { AdminOnly, AuthenticatedRequest } from '@parley/auth-guard';
import { z } from '@parley/config';
import { DomainError, ErrorKind } from '@parley/errors';
import { authV1 } from '@parley/proto';
import { roleValue, userJson } from '../auths/user-json';
import { DownstreamClients } from '../downstream/downstream-clients';
import { parseBody } from '../validation/parse-body';

const listQuery = z.object({
  query: z.string().max(200, 'must be at most 200 characters').default(''),
  page: z.coerce
    .number({ invalid_type_error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(100_000)
    .default(1),
});
const text = (max: number) =>
  z.string({ invalid_type_error: 'must be a string' }).max(max, `must be at most ${max} characters`);
const updateBody = z.object({
  name: text(255).optional(),
  email: text(254).optional(),
  role: z
    .enum(['admin', 'user', 'pending'], { errorMap: () => ({ message: 'must be admin, user or pending' }) })
    .optional(),
  password: text(256).optional(),
  profile_image_url: text(2_000_000).optional(),
});

/** Open WebUI's /api/v1/users routes (user administration). */
@Controller('api/v1/users')
export class UsersController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  @AdminOnly()
  @Get()
  async list(@Query() query: unknown, @Req() req: AuthenticatedRequest) {
    const { query: text, page } = parseBody(listQuery, query);
    const reply = await this.downstream.auth.listUsers({ query: text, page }, { caller: req.caller });
    return { users: reply.users.map(userJson), total: reply.total };
  }

  /** The caller's effective permissions. */
  @Get('permissions')
  async permissionsOfCaller(@Req() req: AuthenticatedRequest) {
    return (await this.downstream.auth.getPermissions({}, { caller: req.caller })).permissions;
  }

  /** The caller's own UI settings (Open WebUI's shape: `{ "ui": { ... } }`); `{}` until saved. */
  @Get('user/settings')
  async settingsOfCaller(@Req() req: AuthenticatedRequest) {
    const { settingsJson } = await this.downstream.auth.getUserSettings({}, { caller: req.caller });
    return JSON.parse(settingsJson) as unknown;
  }

  /** Replaces the caller's settings with the body (a JSON object; the auth service limits its size). */
  @Post('user/settings/update')
  @HttpCode(200)
  async updateSettingsOfCaller(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new DomainError(ErrorKind.InvalidArgument, 'The settings must be a JSON object.');
    const { settingsJson } = await this.downstream.auth.updateUserSettings(
      { settingsJson: JSON.stringify(body) },
      { caller: req.caller },
    );
    return JSON.parse(settingsJson) as unknown;
  }

  @AdminOnly()
  @Get(':id')
  async get(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    return userJson((await this.downstream.auth.getUser({ id }, { caller: req.caller })).user);
  }

  @AdminOnly()
  @Post(':id/update')
  @HttpCode(200)
  async update(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const input = parseBody(updateBody, body);
    const { user } = await this.downstream.auth.updateUser(
      {
        id,
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

  @AdminOnly()
  @Delete(':id')
  async delete(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    await this.downstream.auth.deleteUser({ id }, { caller: req.caller });
    return true;
  }
}
