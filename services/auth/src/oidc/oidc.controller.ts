import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import OpenIDConnectStrategy from 'passport-openidconnect';
import { sessionCookieOptions } from '@parley/auth-guard';
import { DomainError } from '@parley/errors';
import { Public } from '@parley/lifecycle';
import { LOGGER, Logger } from '@parley/logging';
import { AUTH_CONFIG, AuthConfig } from '../auth.config';
import { AuthRedis } from '../redis/auth-redis';
import { OidcAccountsService, OidcIdentity } from './oidc-accounts.service';
import { RedisStateStore } from './redis-state-store';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint?: string;
}

type Attempt = OpenIDConnectStrategy & {
  redirect(url: string): void;
  success(identity: OidcIdentity): void;
  fail(challenge?: { message?: string } | string): void;
  error(error: unknown): void;
  pass(): void;
};

/**
 * Open WebUI's SSO routes, served by the auth service and reached through the gateway's /oauth/
 * proxy: /oauth/oidc/login sends the browser to the provider; /oauth/oidc/callback takes the code,
 * signs the user in and sends the browser to /auth#token=... with the token cookie set. The flow's
 * state lives in Redis, so the callback may reach any copy.
 */
@Public()
@Controller('oauth/oidc')
export class OidcController {
  private strategy?: Promise<OpenIDConnectStrategy>;

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(AuthRedis) private readonly redis: AuthRedis,
    @Inject(OidcAccountsService) private readonly accounts: OidcAccountsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('login')
  login(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.run(req, res);
  }

  @Get('callback')
  callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.run(req, res);
  }

  private async run(req: Request, res: Response): Promise<void> {
    if (!this.config.OPENID_PROVIDER_URL)
      return this.failed(res, 'Single sign-on is not configured on this server.');
    let strategy: OpenIDConnectStrategy;
    try {
      strategy = await this.loadStrategy();
    } catch (error) {
      this.strategy = undefined;
      this.logger.warn({ err: error }, 'OpenID provider discovery failed');
      return this.failed(res, 'The identity provider cannot be reached right now; try again shortly.');
    }
    await new Promise<void>((resolve) => {
      const attempt = Object.create(strategy) as Attempt;
      attempt.redirect = (url) => {
        res.redirect(302, url);
        resolve();
      };
      attempt.fail = (challenge) => {
        const message = typeof challenge === 'string' ? challenge : challenge?.message;
        this.failed(res, message ? `Sign-in failed: ${message}` : 'Sign-in was not completed.');
        resolve();
      };
      attempt.error = (error) => {
        this.logger.warn({ err: error }, 'OpenID Connect sign-in error');
        this.failed(res, 'Sign-in with the identity provider failed; try again.');
        resolve();
      };
      attempt.pass = () => {
        this.failed(res, 'Sign-in was not completed.');
        resolve();
      };
      attempt.success = (identity) => {
        this.accounts.signIn(identity).then(
          ({ accessToken }) => {
            res.cookie(
              'token',
              accessToken.token,
              sessionCookieOptions(this.config, {
                overHttps: req.headers['x-forwarded-proto'] === 'https',
                expiresAtSeconds: accessToken.expiresAt,
              }),
            );
            res.redirect(302, `/auth#token=${accessToken.token}`);
            resolve();
          },
          (error: unknown) => {
            if (!(error instanceof DomainError))
              this.logger.error({ err: error }, 'OpenID Connect account error');
            this.failed(
              res,
              error instanceof DomainError ? error.message : 'Sign-in failed on our side; try again.',
            );
            resolve();
          },
        );
      };
      attempt.authenticate(req, {});
    });
  }

  private failed(res: Response, message: string): void {
    res.redirect(302, `/auth?error=${encodeURIComponent(message)}`);
  }

  private loadStrategy(): Promise<OpenIDConnectStrategy> {
    this.strategy ??= (async () => {
      const response = await fetch(this.config.OPENID_PROVIDER_URL!, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`discovery answered ${response.status}`);
      const discovery = (await response.json()) as Discovery;
      return new OpenIDConnectStrategy(
        {
          issuer: discovery.issuer,
          authorizationURL: discovery.authorization_endpoint,
          tokenURL: discovery.token_endpoint,
          userInfoURL: discovery.userinfo_endpoint ?? '',
          clientID: this.config.OAUTH_CLIENT_ID,
          clientSecret: this.config.OAUTH_CLIENT_SECRET,
          callbackURL: oidcCallbackUrl(this.config),
          scope: this.config.OAUTH_SCOPES.split(/[\s,]+/).filter((scope) => scope !== 'openid'),
          store: new RedisStateStore(this.redis.client) as never,
          nonce: true as never,
        },
        // Arity 9 (the library dispatches on it): userinfo profile, ID token profile, ..., raw ID token.
        ((
          issuer: string,
          uiProfile: { _json?: Record<string, unknown> } | undefined,
          _idProfile: unknown,
          _context: unknown,
          idToken: string,
          _accessToken: unknown,
          _refreshToken: unknown,
          _params: unknown,
          done: (error: unknown, identity?: OidcIdentity) => void,
        ) => {
          const idClaims = JSON.parse(
            Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
          ) as Record<string, unknown>;
          const claims = { ...idClaims, ...(uiProfile?._json ?? {}) };
          done(null, { issuer, subject: String(idClaims.sub), claims });
        }) as never,
      );
    })();
    return this.strategy;
  }
}

/** OPENID_REDIRECT_URI, else WEBUI_URL's callback path, else the path alone (the request's host). */
export function oidcCallbackUrl(config: Pick<AuthConfig, 'OPENID_REDIRECT_URI' | 'WEBUI_URL'>): string {
  if (config.OPENID_REDIRECT_URI) return config.OPENID_REDIRECT_URI;
  if (config.WEBUI_URL) return `${config.WEBUI_URL.replace(/\/+$/, '')}/oauth/oidc/callback`;
  return '/oauth/oidc/callback';
}
