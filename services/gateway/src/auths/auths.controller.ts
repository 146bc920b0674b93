import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  AdminOnly,
  AllowPending,
  AUTHENTICATOR,
  AuthenticatedRequest,
  Authenticator,
  tokenFromHeaders,
} from '@parley/auth-guard';
import { z } from '@parley/config';
import { DomainError, ErrorKind } from '@parley/errors';
import { Public } from '@parley/lifecycle';
import { authV1 } from '@parley/proto';
import { DownstreamClients, GATEWAY } from '../downstream/downstream-clients';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { SignInRateLimit } from '../rate-limit/sign-in-rate-limit';
import { parseBody } from '../validation/parse-body';
import { roleValue, userJson } from './user-json';

const text = (max: number) =>
  z.string({ invalid_type_error: 'must be a string' }).max(max, `must be at most ${max} characters`);
const signUpBody = z.object({ name: text(255), email: text(254), password: text(256) });
const signInBody = z.object({ email: text(254), password: text(256) });
const ldapBody = z.object({ user: text(256), password: text(256) });
const passwordBody = z.object({ password: text(256), new_password: text(256) });
const profileBody = z.object({ name: text(255), profile_image_url: text(2_000_000).optional() });
const addUserBody = z.object({
  name: text(255),
  email: text(254),
  password: text(256),
  role: z
    .enum(['admin', 'user', 'pending'], { errorMap: () => ({ message: 'must be admin, user or pending' }) })
    .default('pending'),
});

/** Open WebUI's /api/v1/auths routes. */
@Controller('api/v1/auths')
export class AuthsController {
  constructor(
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(SignInRateLimit) private readonly rateLimit: SignInRateLimit,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Public()
  @Post('signup')
  @HttpCode(200)
  async signUp(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const input = parseBody(signUpBody, body);
    await this.rateLimit.check(req.ip ?? 'unknown', input.email);
    const reply = await this.downstream.auth.signUp(input, { caller: GATEWAY });
    return this.session(reply, req, res);
  }

  @Public()
  @Post('signin')
  @HttpCode(200)
  async signIn(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    if (this.config.WEBUI_AUTH_TRUSTED_EMAIL_HEADER) return this.signInWithTrustedHeader(req, res);
    const input = parseBody(signInBody, body);
    await this.rateLimit.check(req.ip ?? 'unknown', input.email);
    const reply = await this.downstream.auth.signIn(input, { caller: GATEWAY });
    return this.session(reply, req, res);
  }

  /** Behind an SSO proxy: the proxy's header names the user; no password is involved. */
  private async signInWithTrustedHeader(req: Request, res: Response) {
    const header = (name: string | undefined) => {
      const value = name ? req.headers[name.toLowerCase()] : undefined;
      return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
    };
    const email = header(this.config.WEBUI_AUTH_TRUSTED_EMAIL_HEADER);
    if (!email) {
      throw new DomainError(
        ErrorKind.InvalidArgument,
        `The ${this.config.WEBUI_AUTH_TRUSTED_EMAIL_HEADER} header from the sign-in proxy is missing.`,
      );
    }
    const reply = await this.downstream.auth.signInWithTrustedHeader(
      { email, name: header(this.config.WEBUI_AUTH_TRUSTED_NAME_HEADER) },
      { caller: GATEWAY },
    );
    return this.session(reply, req, res);
  }

  /** Open WebUI's LDAP form: the directory username (not an email) and password. */
  @Public()
  @Post('ldap')
  @HttpCode(200)
  async signInWithLdap(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const input = parseBody(ldapBody, body);
    await this.rateLimit.check(req.ip ?? 'unknown', `ldap:${input.user}`);
    const reply = await this.downstream.auth.signInWithLdap(
      { username: input.user, password: input.password },
      { caller: GATEWAY },
    );
    return this.session(reply, req, res);
  }

  /** The signed-in user (pending users may ask: the app shows them the waiting screen). */
  @AllowPending()
  @Get()
  async me(@Req() req: AuthenticatedRequest) {
    const caller = { caller: req.caller };
    const [{ user }, { permissions }] = await Promise.all([
      this.downstream.auth.getUser({ id: req.user.id }, caller),
      req.user.role === 'pending' ? { permissions: {} } : this.downstream.auth.getPermissions({}, caller),
    ]);
    return { ...userJson(user), permissions };
  }

  /** Ends this session: the token stops working on every copy at once, and the cookie is cleared. */
  @Public()
  @Get('signout')
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const token = tokenFromHeaders(req.headers);
    if (token && !token.startsWith('sk-')) {
      const user = await this.authenticator.authenticate(token, { path: req.path }).catch(() => undefined);
      if (user?.tokenId)
        await this.downstream.auth.revokeToken(
          { tokenId: user.tokenId, expiresAt: BigInt(user.expiresAt ?? 0) },
          { caller: GATEWAY },
        );
    }
    res.clearCookie('token', { path: '/' });
    return { status: true };
  }

  @AllowPending()
  @Post('update/password')
  @HttpCode(200)
  async updatePassword(
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const input = parseBody(passwordBody, body);
    const { accessToken } = await this.downstream.auth.updatePassword(
      { currentPassword: input.password, newPassword: input.new_password },
      { caller: req.caller },
    );
    // Every other session ended; this one continues with a fresh token.
    if (accessToken) this.setCookie(accessToken, req, res);
    return true;
  }

  @AllowPending()
  @Post('update/profile')
  @HttpCode(200)
  async updateProfile(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const input = parseBody(profileBody, body);
    const { user } = await this.downstream.auth.updateProfile(
      { name: input.name, profileImageUrl: input.profile_image_url ?? '' },
      { caller: req.caller },
    );
    return userJson(user);
  }

  @AdminOnly()
  @Post('add')
  @HttpCode(200)
  async addUser(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const input = parseBody(addUserBody, body);
    const { user } = await this.downstream.auth.addUser(
      { ...input, role: roleValue(input.role) },
      { caller: req.caller },
    );
    return { ...userJson(user), token: '', token_type: 'Bearer' };
  }

  @Post('api_key')
  @HttpCode(200)
  async createApiKey(@Req() req: AuthenticatedRequest) {
    const reply = await this.downstream.auth.createApiKey({}, { caller: req.caller });
    return { api_key: reply.apiKey, ...keyInfo(reply.info) };
  }

  /** The key itself is shown only when created; this says whether there is one and when it was used. */
  @Get('api_key')
  async getApiKey(@Req() req: AuthenticatedRequest) {
    const { info } = await this.downstream.auth.getApiKey({}, { caller: req.caller });
    if (!info) throw new DomainError(ErrorKind.NotFound, 'You have no API key; create one.');
    return { api_key: `${info.prefix}${'•'.repeat(8)}`, ...keyInfo(info) };
  }

  @Delete('api_key')
  async deleteApiKey(@Req() req: AuthenticatedRequest) {
    await this.downstream.auth.deleteApiKey({}, { caller: req.caller });
    return true;
  }

  private session(
    reply: { user?: authV1.User; accessToken?: authV1.AccessToken },
    req: Request,
    res: Response,
  ) {
    const token = reply.accessToken?.token ?? '';
    const expiresAt = Number(reply.accessToken?.expiresAt ?? 0n);
    if (reply.accessToken) this.setCookie(reply.accessToken, req, res);
    return { ...userJson(reply.user), token, token_type: 'Bearer', expires_at: expiresAt, permissions: {} };
  }

  private setCookie(accessToken: authV1.AccessToken, req: Request, res: Response): void {
    res.cookie('token', accessToken.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      path: '/',
      expires: new Date(Number(accessToken.expiresAt) * 1000),
    });
  }
}

function keyInfo(info: authV1.ApiKeyInfo | undefined) {
  return {
    prefix: info?.prefix ?? '',
    created_at: Number(info?.createdAt ?? 0n),
    last_used_at: info && info.lastUsedAt > 0n ? Number(info.lastUsedAt) : null,
  };
}
