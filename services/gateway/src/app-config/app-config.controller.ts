import { Controller, Inject } from '@nestjs/common';
import { authV1 } from '@parley/proto';
import type { RouteResult as Result } from '../contract/route-contract';
import { Route } from '../contract/route.decorator';
import { DownstreamClients, GATEWAY } from '../downstream/downstream-clients';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { appConfigContract as c } from './app-config.contract';

const CACHE_MS = 5_000;

/**
 * Open WebUI's /api/config: what the sign-in screen shows before anyone is signed in (which sign-in
 * methods are on, whether this is the first visit of a fresh install). Cached a few seconds: it is
 * public, and the answer changes rarely.
 */
@Controller()
export class AppConfigController {
  private cached?: { at: number; options: authV1.GetSignInOptionsResponse };

  constructor(
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
    @Inject(GATEWAY_CONFIG) private readonly settings: GatewayConfig,
  ) {}

  @Route(c.config)
  async config(): Promise<Result<typeof c.config>> {
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS || this.cached.options.firstUser) {
      this.cached = {
        at: Date.now(),
        options: await this.downstream.auth.getSignInOptions({}, { caller: GATEWAY }),
      };
    }
    const options = this.cached.options;
    return {
      status: true,
      name: this.settings.WEBUI_NAME,
      onboarding: options.firstUser,
      oauth: { providers: options.oidcProviderName ? { oidc: options.oidcProviderName } : {} },
      features: {
        auth: true,
        auth_trusted_header: options.trustedHeader,
        enable_signup: options.enableSignup || options.firstUser,
        enable_login_form: true,
        enable_ldap: options.enableLdap,
        enable_api_key: options.enableApiKey,
        enable_websocket: true,
      },
      file: {
        max_size: this.settings.RAG_FILE_MAX_SIZE ?? null,
        max_count: this.settings.RAG_FILE_MAX_COUNT ?? null,
      },
    };
  }
}
