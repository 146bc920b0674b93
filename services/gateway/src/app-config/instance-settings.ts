import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '@parley/grpc';
import { DownstreamClients, GATEWAY } from '../downstream/downstream-clients';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';

/** How long a copy keeps what it read: a change on another copy shows here within this. */
export const SETTINGS_CACHE_MS = 1_000;

export interface Banner {
  id: string;
  type: string;
  title?: string | null;
  content: string;
  dismissible: boolean;
  timestamp: number;
}

/** The runtime settings as this gateway applies them (docs/runtime-settings.md), by Open WebUI's names. */
export interface GatewaySettings {
  ENABLE_SIGNUP: boolean;
  DEFAULT_USER_ROLE: string;
  ENABLE_API_KEY: boolean;
  SHOW_ADMIN_DETAILS: boolean;
  USER_PERMISSIONS: Record<string, boolean>;
  DEFAULT_MODELS: string;
  MODEL_ORDER_LIST: string[];
  DEFAULT_PROMPT_SUGGESTIONS: Array<{ title: string[]; content: string }>;
  BANNERS: Banner[];
  ENABLE_MESSAGE_RATING: boolean;
  PENDING_USER_OVERLAY_TITLE: string | null;
  PENDING_USER_OVERLAY_CONTENT: string | null;
  RESPONSE_WATERMARK: string | null;
  /** Set by the auth service's environment only. */
  WEBUI_URL: string;
  JWT_EXPIRES_IN: string;
}

/**
 * The settings an admin changes at runtime, owned by the auth service (which checks and stores them and
 * applies its own at once on every auth copy). This copy keeps them a second, so a change made through
 * another copy is seen here within that; a setting no admin has set takes this gateway's environment.
 */
@Injectable()
export class InstanceSettings {
  private cached?: { at: number; settings: Promise<GatewaySettings> };

  constructor(
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  get(): Promise<GatewaySettings> {
    if (!this.cached || Date.now() - this.cached.at > SETTINGS_CACHE_MS) {
      const settings = this.downstream.auth
        .getInstanceSettings({}, { caller: GATEWAY })
        .then(({ settingsJson }) => this.withDefaults(JSON.parse(settingsJson) as Partial<GatewaySettings>));
      // A failed read is not kept: the next request asks again.
      settings.catch(() => (this.cached = undefined));
      this.cached = { at: Date.now(), settings };
    }
    return this.cached.settings;
  }

  /** Changes settings as the admin `caller`; the auth service refuses what is not valid, naming it. */
  async update(changes: Partial<Record<keyof GatewaySettings, unknown>>, caller: Caller) {
    const { settingsJson } = await this.downstream.auth.updateInstanceSettings(
      { changesJson: JSON.stringify(changes) },
      { caller },
    );
    const settings = this.withDefaults(JSON.parse(settingsJson) as Partial<GatewaySettings>);
    this.cached = { at: Date.now(), settings: Promise.resolve(settings) };
    return settings;
  }

  private withDefaults(stored: Partial<GatewaySettings>): GatewaySettings {
    return {
      ENABLE_SIGNUP: stored.ENABLE_SIGNUP ?? true,
      DEFAULT_USER_ROLE: stored.DEFAULT_USER_ROLE ?? 'pending',
      ENABLE_API_KEY: stored.ENABLE_API_KEY ?? true,
      SHOW_ADMIN_DETAILS: stored.SHOW_ADMIN_DETAILS ?? true,
      USER_PERMISSIONS: stored.USER_PERMISSIONS ?? {},
      DEFAULT_MODELS: stored.DEFAULT_MODELS ?? this.config.DEFAULT_MODELS,
      MODEL_ORDER_LIST: stored.MODEL_ORDER_LIST ?? [],
      DEFAULT_PROMPT_SUGGESTIONS: stored.DEFAULT_PROMPT_SUGGESTIONS ?? this.config.DEFAULT_PROMPT_SUGGESTIONS,
      BANNERS: stored.BANNERS ?? [],
      ENABLE_MESSAGE_RATING: stored.ENABLE_MESSAGE_RATING ?? this.config.ENABLE_MESSAGE_RATING,
      PENDING_USER_OVERLAY_TITLE: stored.PENDING_USER_OVERLAY_TITLE ?? null,
      PENDING_USER_OVERLAY_CONTENT: stored.PENDING_USER_OVERLAY_CONTENT ?? null,
      RESPONSE_WATERMARK: stored.RESPONSE_WATERMARK ?? null,
      WEBUI_URL: stored.WEBUI_URL ?? '',
      JWT_EXPIRES_IN: stored.JWT_EXPIRES_IN ?? '',
    };
  }
}
