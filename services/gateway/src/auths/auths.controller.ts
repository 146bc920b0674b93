import { Controller, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  AUTHENTICATOR,
  AuthenticatedRequest,
  Authenticator,
  sessionCookieOptions,
  tokenFromHeaders,
} from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import { authV1 } from '@parley/proto';
import { DownstreamClients, GATEWAY } from '../downstream/downstream-clients';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { SignInOptions } from '../app-config/sign-in-options';
import { SignInRateLimit } from '../rate-limit/sign-in-rate-limit';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { parseBody } from '../validation/parse-body';
import { authsContract as c } from './auths.contract';
import { nestPermissions } from './permissions-json';
import { roleValue, userJson } from './user-json';

/** Open WebUI's /api/v1/auths routes. */
@Controller()
export class AuthsController {
  constructor(
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(SignInRateLimit) private readonly rateLimit: SignInRateLimit,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(SignInOptions) private readonly signInOptions: SignInOptions,
  ) {}

  @Route(c.signUp)
  async signUp(
    @RouteInput() { body: input }: Input<typeof c.signUp>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Result<typeof c.signUp>> {
    await this.rateLimit.check(req.ip ?? 'unknown', input.email);
    const reply = await this.downstream.auth.signUp(input, { caller: GATEWAY });
    return this.session(reply, req, res);
  }

  @Route(c.signIn)
  async signIn(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Result<typeof c.signIn>> {
    if (this.config.WEBUI_AUTH_TRUSTED_EMAIL_HEADER) return this.signInWithTrustedHeader(req, res);
    // Single-user mode (WEBUI_AUTH=False): whatever the form says, the one account is signed in.
    if ((await this.signInOptions.get()).singleUser) {
      const reply = await this.downstream.auth.signInSingleUser({}, { caller: GATEWAY });
      return this.session(reply, req, res);
    }
    const input = parseBody(c.signIn.body, req.body);
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
  @Route(c.ldap)
  async signInWithLdap(
    @RouteInput() { body: input }: Input<typeof c.ldap>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Result<typeof c.ldap>> {
    await this.rateLimit.check(req.ip ?? 'unknown', `ldap:${input.user}`);
    const reply = await this.downstream.auth.signInWithLdap(
      { username: input.user, password: input.password },
      { caller: GATEWAY },
    );
    return this.session(reply, req, res);
  }

  /**
   * The signed-in user (pending users may ask: the app shows them the waiting screen), with the token it
   * presented, as Open WebUI answers (its clients keep `token` from here after an SSO redirect).
   */
  @Route(c.me)
  async me(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.me>> {
    const caller = { caller: req.caller };
    const [{ user }, { permissions }] = await Promise.all([
      this.downstream.auth.getUser({ id: req.user.id }, caller),
      req.user.role === 'pending' ? { permissions: {} } : this.downstream.auth.getPermissions({}, caller),
    ]);
    return {
      ...userJson(user),
      token: tokenFromHeaders(req.headers) ?? '',
      token_type: 'Bearer' as const,
      expires_at: req.user.expiresAt ?? null,
      permissions: nestPermissions(permissions),
    };
  }

  @Route(c.adminDetails)
  async adminDetails(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.adminDetails>> {
    const admin = await this.downstream.auth.getAdminDetails({}, { caller: req.caller });
    return { name: admin.name || null, email: admin.email || null };
  }

  /** Ends this session: the token stops working on every copy at once, and the cookie is cleared. */
  @Route(c.signOut)
  async signOut(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Result<typeof c.signOut>> {
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

  @Route(c.updatePassword)
  async updatePassword(
    @RouteInput() { body: input }: Input<typeof c.updatePassword>,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Result<typeof c.updatePassword>> {
    const { accessToken } = await this.downstream.auth.updatePassword(
      { currentPassword: input.password, newPassword: input.new_password },
      { caller: req.caller },
    );
    // Every other session ended; this one continues with a fresh token.
    if (accessToken) this.setCookie(accessToken, req, res);
    return true;
  }

  @Route(c.updateProfile)
  async updateProfile(
    @RouteInput() { body: input }: Input<typeof c.updateProfile>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.updateProfile>> {
    const { user } = await this.downstream.auth.updateProfile(
      { name: input.name, profileImageUrl: input.profile_image_url ?? '' },
      { caller: req.caller },
    );
    return userJson(user);
  }

  @Route(c.addUser)
  async addUser(
    @RouteInput() { body: input }: Input<typeof c.addUser>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.addUser>> {
    const { user } = await this.downstream.auth.addUser(
      { ...input, role: roleValue(input.role) },
      { caller: req.caller },
    );
    return { ...userJson(user), token: '', token_type: 'Bearer' as const };
  }

  @Route(c.createApiKey)
  async createApiKey(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.createApiKey>> {
    const reply = await this.downstream.auth.createApiKey({}, { caller: req.caller });
    return { api_key: reply.apiKey, ...keyInfo(reply.info) };
  }

  /** The key itself is shown only when created; this says whether there is one and when it was used. */
  @Route(c.getApiKey)
  async getApiKey(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.getApiKey>> {
    const { info } = await this.downstream.auth.getApiKey({}, { caller: req.caller });
    if (!info) throw new DomainError(ErrorKind.NotFound, 'You have no API key; create one.');
    return { api_key: `${info.prefix}${'•'.repeat(8)}`, ...keyInfo(info) };
  }

  @Route(c.deleteApiKey)
  async deleteApiKey(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.deleteApiKey>> {
    await this.downstream.auth.deleteApiKey({}, { caller: req.caller });
    return true;
  }

  private session(
    reply: { user?: authV1.User; accessToken?: authV1.AccessToken; permissions?: Record<string, boolean> },
    req: Request,
    res: Response,
  ) {
    const token = reply.accessToken?.token ?? '';
    const expiresAt = Number(reply.accessToken?.expiresAt ?? 0n);
    if (reply.accessToken) this.setCookie(reply.accessToken, req, res);
    return {
      ...userJson(reply.user),
      token,
      token_type: 'Bearer' as const,
      expires_at: expiresAt,
      permissions: nestPermissions(reply.permissions ?? {}),
    };
  }

  private setCookie(accessToken: authV1.AccessToken, req: Request, res: Response): void {
    res.cookie(
      'token',
      accessToken.token,
      sessionCookieOptions(this.config, {
        overHttps: req.secure,
        expiresAtSeconds: Number(accessToken.expiresAt),
      }),
    );
  }
}

function keyInfo(info: authV1.ApiKeyInfo | undefined) {
  return {
    prefix: info?.prefix ?? '',
    created_at: Number(info?.createdAt ?? 0n),
    last_used_at: info && info.lastUsedAt > 0n ? Number(info.lastUsedAt) : null,
  };
}
