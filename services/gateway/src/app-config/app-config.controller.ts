import { Controller, Inject } from '@nestjs/common';
import type { RouteResult as Result } from '../contract/route-contract';
import { Route } from '../contract/route.decorator';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { appConfigContract as c } from './app-config.contract';
import { SignInOptions } from './sign-in-options';

/**
 * Open WebUI's /api/config: what the sign-in screen shows before anyone is signed in (which sign-in
 * methods are on, whether this is the first visit of a fresh install). Cached a few seconds: it is
 * public, and the answer changes rarely.
 */
@Controller()
export class AppConfigController {
  constructor(
    @Inject(SignInOptions) private readonly signIn: SignInOptions,
    @Inject(GATEWAY_CONFIG) private readonly settings: GatewayConfig,
  ) {}

  @Route(c.config)
  async config(): Promise<Result<typeof c.config>> {
    const options = await this.signIn.get();
    return {
      status: true,
      name: this.settings.WEBUI_NAME,
      onboarding: options.firstUser,
      oauth: { providers: options.oidcProviderName ? { oidc: options.oidcProviderName } : {} },
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
  }
}
