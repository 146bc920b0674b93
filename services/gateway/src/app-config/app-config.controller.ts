import { Controller, Inject, Req } from '@nestjs/common';
import type { Request } from 'express';
import {
  AUTHENTICATOR,
  Authenticator,
  CALLER_PROFILES,
  CallerProfiles,
  tokenFromHeaders,
} from '@parley/auth-guard';
import type { RouteResult as Result } from '../contract/route-contract';
import { Route } from '../contract/route.decorator';
import { DownstreamClients } from '../downstream/downstream-clients';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { appConfigContract as c } from './app-config.contract';
import { InstanceSettings } from './instance-settings';
import { SignInOptions } from './sign-in-options';
import { PARLEY_VERSION } from './version';

/**
 * Open WebUI's /api/config: what the sign-in screen shows before anyone is signed in (which sign-in
 * methods are on, whether this is the first visit of a fresh install), and for a signed-in client what
 * a new chat needs (default models, prompt suggestions, feature switches). The public part is cached a
 * few seconds: it changes rarely.
 */
@Controller()
export class AppConfigController {
  constructor(
    @Inject(SignInOptions) private readonly signIn: SignInOptions,
    @Inject(GATEWAY_CONFIG) private readonly settings: GatewayConfig,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(CALLER_PROFILES) private readonly callers: CallerProfiles,
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
    @Inject(InstanceSettings) private readonly runtime: InstanceSettings,
  ) {}

  @Route(c.config)
  async config(@Req() req: Request): Promise<Result<typeof c.config>> {
    const options = await this.signIn.get();
    const user = await this.signedIn(req);
    const publicPart: Result<typeof c.config> = {
      status: true,
      name: this.settings.WEBUI_NAME,
      version: PARLEY_VERSION,
      onboarding: options.firstUser,
      oauth: {
        providers: options.oidcProviderName
          ? { oidc: options.oidcProviderName }
          : ({} as Record<string, string>),
      },
      features: {
        // Single-user mode (WEBUI_AUTH=False): clients sign in with an empty form, as Open WebUI's do.
        auth: !options.singleUser,
        auth_trusted_header: options.trustedHeader,
        enable_signup: !options.singleUser && (options.enableSignup || options.firstUser),
        enable_login_form: !options.singleUser,
        enable_ldap: options.enableLdap,
        enable_api_key: options.enableApiKey,
        enable_websocket: this.settings.ENABLE_WEBSOCKET_SUPPORT,
      },
      file: {
        max_size: this.settings.RAG_FILE_MAX_SIZE ?? null,
        max_count: this.settings.RAG_FILE_MAX_COUNT ?? null,
      },
    };
    if (!user) return publicPart;
    // Signed in (waiting users too, whose screen shows the overlay): the admin's runtime settings.
    const settings = await this.runtime.get();
    const ui = {
      pending_user_overlay_title: settings.PENDING_USER_OVERLAY_TITLE,
      pending_user_overlay_content: settings.PENDING_USER_OVERLAY_CONTENT,
      response_watermark: settings.RESPONSE_WATERMARK,
    };
    if (user.role === 'pending') return { ...publicPart, ui };
    return {
      ...publicPart,
      ui,
      features: {
        ...publicPart.features,
        // Share links stay inside the installation: there is no community site to share to.
        enable_community_sharing: false,
        enable_message_rating: settings.ENABLE_MESSAGE_RATING,
      },
      default_models: settings.DEFAULT_MODELS,
      default_prompt_suggestions: settings.DEFAULT_PROMPT_SUGGESTIONS,
      ...(user.role === 'admin' ? { user_count: await this.userCount(user) } : {}),
    };
  }

  @Route(c.version)
  version(): Result<typeof c.version> {
    return { version: PARLEY_VERSION };
  }

  /** Parley's release notes come with its release; Open WebUI's clients show none when this is empty. */
  @Route(c.changelog)
  changelog(): Result<typeof c.changelog> {
    return {};
  }

  /** Open WebUI asks GitHub; Parley never calls out to the internet, so it reports no newer version. */
  @Route(c.versionUpdates)
  versionUpdates(): Result<typeof c.versionUpdates> {
    return { current: PARLEY_VERSION, latest: PARLEY_VERSION };
  }

  /** The signed-in user behind the request's token or cookie, if any (this route is public). */
  private async signedIn(req: Request) {
    const token = tokenFromHeaders(req.headers);
    if (!token) return undefined;
    return this.authenticator.authenticate(token, { path: req.path }).catch(() => undefined);
  }

  private async userCount(user: { id: string }): Promise<number> {
    const caller = await this.callers.callerOf(user);
    return (await this.downstream.auth.listUsers({ query: '', page: 1 }, { caller })).total;
  }
}
