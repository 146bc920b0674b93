import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { Connection, ConnectionKind } from '../connections/connection';
import { ConnectionsService } from '../connections/connections.service';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { UpstreamHttpClient } from '../upstream/upstream-http.client';
import { UpstreamFailure } from '../upstream/upstream-failure';
import { ModelsCacheRepository } from './models-cache.repository';

export interface UpstreamModel {
  /** The id the upstream knows. */
  id: string;
  raw: Record<string, unknown>;
}

export interface ListedModel {
  /** The id clients use: `<prefix_id>.<upstream id>` when the connection has a prefix. */
  id: string;
  name: string;
  kind: ConnectionKind;
  created: number;
  raw: Record<string, unknown>;
  /** Every connection serving this id, with the id that connection knows it by: they share the load. */
  servedBy: Array<{ connection: Connection; upstreamId: string }>;
}

/** How long this copy reuses a merged model list before asking the Redis cache again. */
const LOCAL_LIST_MS = 1_000;

/** How fresh the connections must be before a request for an unknown model re-reads them. */
const RELOAD_ON_MISS_MS = 50;

/**
 * The merged model list: every enabled connection asked in parallel, each within
 * AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST, each connection's answer cached in Redis for MODELS_CACHE_TTL. A
 * connection that fails or is slow is left out (and logged), never waited for beyond its timeout.
 */
@Injectable()
export class ModelsService {
  private readonly inflight = new Map<string, Promise<UpstreamModel[] | undefined>>();
  private readonly recent = new Map<
    string,
    { active: Connection[]; at: number; models: Promise<ListedModel[]> }
  >();

  constructor(
    @Inject(ConnectionsService) private readonly connections: ConnectionsService,
    @Inject(ModelsCacheRepository) private readonly cache: ModelsCacheRepository,
    @Inject(UpstreamHttpClient) private readonly http: UpstreamHttpClient,
    @Inject(MODEL_GATEWAY_CONFIG) private readonly config: ModelGatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The merged list, kept on this copy for up to LOCAL_LIST_MS (never longer than MODELS_CACHE_TTL) while
   * the connections stay the same objects (a reload makes new ones): every completion resolves its model
   * here, and a Redis round trip per request was a tenth of this service's CPU under load.
   */
  async list(kind?: ConnectionKind): Promise<ListedModel[]> {
    const active = await this.connections.active(kind);
    const key = kind ?? '*';
    const hit = this.recent.get(key);
    const maxAgeMs = Math.min(LOCAL_LIST_MS, this.config.MODELS_CACHE_TTL * 1000);
    if (
      hit &&
      Date.now() - hit.at < maxAgeMs &&
      hit.active.length === active.length &&
      hit.active.every((connection, i) => connection === active[i])
    )
      return hit.models;
    const models = this.merge(active);
    this.recent.set(key, { active, at: Date.now(), models });
    models.catch(() => this.recent.delete(key));
    return models;
  }

  private async merge(active: Connection[]): Promise<ListedModel[]> {
    const keys = active.map(cacheKey);
    const cached = await this.cache.getMany(keys);
    const lists = await Promise.all(
      active.map(
        async (connection, i) =>
          (cached[i] as UpstreamModel[] | undefined) ?? (await this.fetchOnce(connection)) ?? [],
      ),
    );
    const merged = new Map<string, ListedModel>();
    active.forEach((connection, i) => {
      for (const model of lists[i]!) {
        const id = connection.prefixId ? `${connection.prefixId}.${model.id}` : model.id;
        const entry = merged.get(id);
        if (entry) {
          entry.servedBy.push({ connection, upstreamId: model.id });
          continue;
        }
        merged.set(id, {
          id,
          name:
            typeof model.raw.name === 'string' && model.raw.name
              ? connection.prefixId
                ? id
                : model.raw.name
              : id,
          kind: connection.kind,
          created: typeof model.raw.created === 'number' ? model.raw.created : Math.floor(Date.now() / 1000),
          raw: model.raw,
          servedBy: [{ connection, upstreamId: model.id }],
        });
      }
    });
    return [...merged.values()];
  }

  /** The model a request names; NotFound when no enabled connection serves it. */
  async resolve(modelId: string, kind?: ConnectionKind): Promise<ListedModel> {
    let model = (await this.list(kind)).find((m) => m.id === modelId);
    // Not there: the connections may have changed on another copy a moment ago (a new prefix, a new
    // connection) with the event still on its way. Look again once, at most a few times a second.
    if (!model && this.connections.reloadIfOlderThan(RELOAD_ON_MISS_MS))
      model = (await this.list(kind)).find((m) => m.id === modelId);
    if (!model)
      throw new DomainError(ErrorKind.NotFound, `Model not found: ${modelId}`, {
        code: 'MODEL_NOT_FOUND',
      });
    return model;
  }

  /** One fetch per connection at a time on this copy, however many requests want the list. */
  private fetchOnce(connection: Connection): Promise<UpstreamModel[] | undefined> {
    const key = cacheKey(connection);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetch(connection).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async fetch(connection: Connection): Promise<UpstreamModel[] | undefined> {
    if (connection.kind === 'openai' && connection.modelIds.length) {
      // Open WebUI: a connection with an explicit model list is not asked.
      const models = connection.modelIds.map((id) => ({
        id,
        raw: { id, object: 'model', owned_by: 'openai' },
      }));
      await this.cache.set(cacheKey(connection), models, this.config.MODELS_CACHE_TTL);
      return models;
    }
    try {
      const models = await this.fetchFromUpstream(connection);
      await this.cache.set(cacheKey(connection), models, this.config.MODELS_CACHE_TTL);
      return models;
    } catch (error) {
      this.logger.warn(
        { connection: connection.baseUrl, err: (error as Error).message },
        'a connection did not list its models; serving the list without it',
      );
      return undefined;
    }
  }

  async fetchFromUpstream(
    connection: Pick<Connection, 'kind' | 'baseUrl' | 'apiKey' | 'modelIds'>,
  ): Promise<UpstreamModel[]> {
    const raw = await this.fetchRaw(connection);
    if (connection.kind === 'ollama') {
      const models = (raw as { models?: Array<Record<string, unknown>> }).models ?? [];
      return models
        .filter((m) => typeof (m.model ?? m.name) === 'string')
        .map((m) => ({ id: String(m.model ?? m.name), raw: m }))
        .filter((m) => !connection.modelIds.length || connection.modelIds.includes(m.id));
    }
    const data = Array.isArray(raw) ? raw : ((raw as { data?: unknown }).data ?? []);
    return (Array.isArray(data) ? (data as Array<Record<string, unknown>>) : [])
      .filter((m) => typeof (m.id ?? m.name) === 'string')
      .map((m) => ({ id: String(m.id ?? m.name), raw: m }));
  }

  /** The upstream's own list answer (for /verify and /ollama/api/tags). */
  async fetchRaw(connection: Pick<Connection, 'kind' | 'baseUrl' | 'apiKey'>): Promise<unknown> {
    const timeoutMs = Math.round(this.config.AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST * 1000);
    const signal = AbortSignal.timeout(timeoutMs);
    const url =
      connection.kind === 'ollama' ? `${connection.baseUrl}/api/tags` : `${connection.baseUrl}/models`;
    const origin = new URL(url).origin;
    try {
      const res = await this.http.send({
        method: 'GET',
        url,
        headers: {
          accept: 'application/json',
          ...(connection.apiKey ? { authorization: `Bearer ${connection.apiKey}` } : {}),
        },
        signal,
        headersTimeoutMs: timeoutMs,
      });
      const text = await res.text(timeoutMs);
      if (res.status !== 200) throw UpstreamFailure.fromResponse(origin, res.status, text);
      return JSON.parse(text) as unknown;
    } catch (error) {
      if (signal.aborted) throw UpstreamFailure.timeout(origin, 'list its models');
      if (error instanceof SyntaxError)
        throw new UpstreamFailure(
          502,
          `The model server at ${origin} answered with something that is not JSON.`,
          true,
        );
      throw error;
    }
  }
}

const cacheKey = (c: Connection) => `${c.id}:${c.updatedAt}`;
