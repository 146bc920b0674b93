import { Controller, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import { InstanceSettings, type GatewaySettings } from '../app-config/instance-settings';
import { nestPermissions } from '../auths/permissions-json';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { runtimeSettingsContract as c } from './runtime-settings.contract';

/** The AdminConfig fields an admin changes here; the auth service checks and stores them. */
const RUNTIME_FIELDS = [
  'SHOW_ADMIN_DETAILS',
  'ENABLE_SIGNUP',
  'ENABLE_API_KEY',
  'DEFAULT_USER_ROLE',
  'ENABLE_MESSAGE_RATING',
  'PENDING_USER_OVERLAY_TITLE',
  'PENDING_USER_OVERLAY_CONTENT',
  'RESPONSE_WATERMARK',
] as const;

const notRuntime = (field: string, why: string) =>
  new DomainError(ErrorKind.InvalidArgument, `${field} ${why}`, { code: 'SETTING_NOT_RUNTIME' });

/**
 * Open WebUI's runtime settings routes (docs/runtime-settings.md). A change made through one copy applies
 * on every copy within a second and is written to the audit log like every admin request.
 */
@Controller()
export class RuntimeSettingsController {
  constructor(
    @Inject(InstanceSettings) private readonly settings: InstanceSettings,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Route(c.adminConfig)
  async adminConfig(): Promise<Result<typeof c.adminConfig>> {
    return this.adminConfigOf(await this.settings.get());
  }

  @Route(c.updateAdminConfig)
  async updateAdminConfig(
    @RouteInput() { body }: Input<typeof c.updateAdminConfig>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.updateAdminConfig>> {
    const current = this.adminConfigOf(await this.settings.get());
    // What only the environment sets may be sent as it is (Open WebUI's frontend sends every field).
    for (const [field, variable] of [
      ['WEBUI_URL', 'WEBUI_URL (auth service)'],
      ['JWT_EXPIRES_IN', 'JWT_EXPIRES_IN (auth service)'],
      ['ENABLE_API_KEY_ENDPOINT_RESTRICTIONS', 'ENABLE_API_KEY_ENDPOINT_RESTRICTIONS (gateway)'],
      ['API_KEY_ALLOWED_ENDPOINTS', 'API_KEY_ALLOWED_ENDPOINTS (gateway)'],
    ] as const)
      if (body[field] !== undefined && body[field] !== current[field])
        throw notRuntime(field, `is set in the environment: change ${variable} and restart the service.`);
    for (const field of [
      'ENABLE_COMMUNITY_SHARING',
      'ENABLE_CHANNELS',
      'ENABLE_NOTES',
      'ENABLE_USER_WEBHOOKS',
    ] as const)
      if (body[field] === true) throw notRuntime(field, 'is not offered by Parley; it stays false.');
    const changes = Object.fromEntries(
      RUNTIME_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]),
    );
    return this.adminConfigOf(await this.settings.update(changes, req.caller));
  }

  @Route(c.updateDefaultPermissions)
  async updateDefaultPermissions(
    @RouteInput() { body }: Input<typeof c.updateDefaultPermissions>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.updateDefaultPermissions>> {
    const settings = await this.settings.update({ USER_PERMISSIONS: body }, req.caller);
    return nestPermissions(settings.USER_PERMISSIONS);
  }

  @Route(c.banners)
  async banners(): Promise<Result<typeof c.banners>> {
    return (await this.settings.get()).BANNERS;
  }

  @Route(c.setBanners)
  async setBanners(
    @RouteInput() { body }: Input<typeof c.setBanners>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.setBanners>> {
    return (await this.settings.update({ BANNERS: body.banners }, req.caller)).BANNERS;
  }

  @Route(c.setSuggestions)
  async setSuggestions(
    @RouteInput() { body }: Input<typeof c.setSuggestions>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.setSuggestions>> {
    return (await this.settings.update({ DEFAULT_PROMPT_SUGGESTIONS: body.suggestions }, req.caller))
      .DEFAULT_PROMPT_SUGGESTIONS;
  }

  @Route(c.modelsConfig)
  async modelsConfig(): Promise<Result<typeof c.modelsConfig>> {
    return modelsOf(await this.settings.get());
  }

  @Route(c.setModelsConfig)
  async setModelsConfig(
    @RouteInput() { body }: Input<typeof c.setModelsConfig>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.setModelsConfig>> {
    return modelsOf(await this.settings.update(body, req.caller));
  }

  private adminConfigOf(s: GatewaySettings): Result<typeof c.adminConfig> {
    return {
      SHOW_ADMIN_DETAILS: s.SHOW_ADMIN_DETAILS,
      WEBUI_URL: s.WEBUI_URL,
      ENABLE_SIGNUP: s.ENABLE_SIGNUP,
      ENABLE_API_KEY: s.ENABLE_API_KEY,
      ENABLE_API_KEY_ENDPOINT_RESTRICTIONS: this.config.ENABLE_API_KEY_ENDPOINT_RESTRICTIONS,
      API_KEY_ALLOWED_ENDPOINTS: this.config.API_KEY_ALLOWED_ENDPOINTS,
      DEFAULT_USER_ROLE: s.DEFAULT_USER_ROLE as 'pending' | 'user' | 'admin',
      JWT_EXPIRES_IN: s.JWT_EXPIRES_IN,
      ENABLE_COMMUNITY_SHARING: false,
      ENABLE_MESSAGE_RATING: s.ENABLE_MESSAGE_RATING,
      ENABLE_CHANNELS: false,
      ENABLE_NOTES: false,
      ENABLE_USER_WEBHOOKS: false,
      PENDING_USER_OVERLAY_TITLE: s.PENDING_USER_OVERLAY_TITLE,
      PENDING_USER_OVERLAY_CONTENT: s.PENDING_USER_OVERLAY_CONTENT,
      RESPONSE_WATERMARK: s.RESPONSE_WATERMARK,
    };
  }
}

const modelsOf = (s: GatewaySettings) => ({
  DEFAULT_MODELS: s.DEFAULT_MODELS,
  MODEL_ORDER_LIST: s.MODEL_ORDER_LIST,
});
