import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { EVENTS, NatsClient } from '@parley/nats';
import { CachedTable } from '@parley/nats';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import {
  Connection,
  ConnectionInput,
  ConnectionKind,
  ConnectionType,
  connectionsFromEnv,
  normaliseBaseUrl,
} from './connection';
import { ConnectionsRepository } from './connections.repository';
import { isMasked, maskKey } from './key-masking';

export interface ConnectionsSnapshot {
  enabled: Record<ConnectionKind, boolean>;
  /** Every connection, enabled or not, in urlIdx order within each kind. */
  all: Connection[];
}

export interface ConnectionView {
  baseUrl: string;
  apiKey: string;
  enable: boolean;
  prefixId: string;
  modelIds: string[];
  tags: string[];
  /** "external" or "local"; empty on update: the kind's default (Ollama local, OpenAI external). */
  connectionType: string;
}

/**
 * The connections every completion needs, from memory: read from the table at most every
 * CONNECTIONS_CACHE_MS, and at once on every copy when an admin changes them (a NATS notification).
 */
@Injectable()
export class ConnectionsService implements OnModuleInit {
  private readonly table: CachedTable<ConnectionsSnapshot>;

  constructor(
    @Inject(ConnectionsRepository) private readonly repository: ConnectionsRepository,
    @Inject(MODEL_GATEWAY_CONFIG) private readonly config: ModelGatewayConfig,
    @Inject(NatsClient) nats: NatsClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.table = new CachedTable(
      async () => {
        const [all, enabled] = await Promise.all([this.repository.list(), this.repository.kindEnabled()]);
        return { all, enabled };
      },
      config.CONNECTIONS_CACHE_MS,
      nats,
      EVENTS.connectionsChanged,
      logger,
    );
  }

  async onModuleInit(): Promise<void> {
    const seeded = await this.repository.seedOnce({
      openai: {
        enabled: this.config.ENABLE_OPENAI_API,
        connections: connectionsFromEnv(this.config.OPENAI_API_BASE_URLS, this.config.OPENAI_API_KEYS),
      },
      ollama: {
        enabled: this.config.ENABLE_OLLAMA_API,
        connections: connectionsFromEnv(this.config.OLLAMA_BASE_URLS || this.config.OLLAMA_BASE_URL, ''),
      },
    });
    if (seeded)
      this.logger.info(
        'connections seeded from OPENAI_API_BASE_URLS and OLLAMA_BASE_URLS (or OLLAMA_BASE_URL)',
      );
    this.table.listen();
  }

  current(): Promise<ConnectionsSnapshot> {
    return this.table.get();
  }

  /** Reads the table again unless it was read in the last `ms`; true when it will. */
  reloadIfOlderThan(ms: number): boolean {
    return this.table.dropIfOlderThan(ms);
  }

  /** The enabled connections of the enabled kinds. */
  async active(kind?: ConnectionKind): Promise<Connection[]> {
    const { all, enabled } = await this.current();
    return all.filter((c) => c.enabled && enabled[c.kind] && (!kind || c.kind === kind));
  }

  async view(kind: ConnectionKind): Promise<{ enabled: boolean; connections: ConnectionView[] }> {
    const { all, enabled } = await this.current();
    return {
      enabled: enabled[kind],
      connections: all
        .filter((c) => c.kind === kind)
        .map((c) => ({
          baseUrl: c.baseUrl,
          apiKey: maskKey(c.apiKey),
          enable: c.enabled,
          prefixId: c.prefixId,
          modelIds: c.modelIds,
          tags: c.tags,
          connectionType: c.connectionType,
        })),
    };
  }

  /**
   * Replaces the connections of a kind (Open WebUI's config/update). A key sent back masked, as it was
   * read, keeps the key stored for that URL, so an admin edits a connection without retyping its key.
   */
  async update(
    kind: ConnectionKind,
    input: ConnectionView[],
    enabled?: boolean,
  ): Promise<{ enabled: boolean; connections: ConnectionView[] }> {
    if (input.length > 100)
      throw new DomainError(ErrorKind.InvalidArgument, 'At most 100 connections of a kind.');
    const existing = (await this.fresh()).all.filter((c) => c.kind === kind);
    const connections: ConnectionInput[] = input.map((c, i) => {
      const baseUrl = normaliseBaseUrl(c.baseUrl);
      const prefixId = c.prefixId.trim();
      if (prefixId && !/^[\w.-]{1,64}$/.test(prefixId))
        throw new DomainError(
          ErrorKind.InvalidArgument,
          `connection ${i}: prefix_id may hold letters, digits, "_", "-" and "." only.`,
        );
      let apiKey = c.apiKey.trim();
      if (isMasked(apiKey)) {
        const previous = existing.find((e) => e.baseUrl === baseUrl && maskKey(e.apiKey) === apiKey);
        if (!previous)
          throw new DomainError(
            ErrorKind.InvalidArgument,
            `connection ${i}: send the full API key for ${baseUrl}.`,
          );
        apiKey = previous.apiKey;
      }
      return {
        baseUrl,
        apiKey,
        enabled: c.enable,
        prefixId,
        modelIds: c.modelIds.filter((m) => m.trim()),
        tags: connectionTags(c.tags, i),
        connectionType: connectionTypeOf(c.connectionType, i),
      };
    });
    await this.repository.replace(kind, connections, enabled);
    this.table.changed();
    return this.view(kind);
  }

  private async fresh(): Promise<ConnectionsSnapshot> {
    this.table.drop();
    return this.current();
  }
}

/** Open WebUI's per-connection tags: names, trimmed, without repeats; at most 20 of 64 characters. */
function connectionTags(tags: string[], i: number): string[] {
  const names = [...new Set(tags.map((tag) => tag.trim()).filter(Boolean))];
  if (names.length > 20 || names.some((name) => name.length > 64))
    throw new DomainError(ErrorKind.InvalidArgument, `connection ${i}: at most 20 tags of 64 characters.`);
  return names;
}

function connectionTypeOf(value: string, i: number): ConnectionType | undefined {
  if (!value) return undefined;
  if (value === 'external' || value === 'local') return value;
  throw new DomainError(
    ErrorKind.InvalidArgument,
    `connection ${i}: connection_type must be external or local.`,
  );
}
