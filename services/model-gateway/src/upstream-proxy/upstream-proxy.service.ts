import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { ConnectionKind } from '../connections/connection';
import { ConnectionsService } from '../connections/connections.service';
import { Candidate, UpstreamRouter } from '../completions/upstream-router';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { ModelsService } from '../models/models.service';
import { UpstreamHttpClient } from '../upstream/upstream-http.client';
import { UpstreamFailure } from '../upstream/upstream-failure';

export type ProxyEvent =
  { head: { status: number; contentType: string } } | { chunk: Buffer } | { error: UpstreamFailure };

export interface ProxyCall {
  kind: ConnectionKind;
  method: string;
  /** Below the base URL, query string included: "api/chat", "models". */
  path: string;
  body: Buffer;
  contentType: string;
  role: string;
}

const MODEL_ROUTED =
  /^(api\/(chat|generate|show|embed|embeddings)|chat\/completions|completions|embeddings|v1\/chat\/completions)$/;

/**
 * Open WebUI's /openai/* and /ollama/* pass-through. Model lists are the merged ones (prefixes
 * applied); a request that names a model goes to a connection serving it (with the upstream's id);
 * anything else goes to the kind's first connection, as Open WebUI does. The upstream key is added here.
 */
@Injectable()
export class UpstreamProxyService {
  constructor(
    @Inject(ConnectionsService) private readonly connections: ConnectionsService,
    @Inject(ModelsService) private readonly models: ModelsService,
    @Inject(UpstreamRouter) private readonly router: UpstreamRouter,
    @Inject(UpstreamHttpClient) private readonly http: UpstreamHttpClient,
    @Inject(MODEL_GATEWAY_CONFIG) private readonly config: ModelGatewayConfig,
  ) {}

  async *proxy(call: ProxyCall, signal: AbortSignal): AsyncGenerator<ProxyEvent> {
    const path = call.path.replace(/^\/+/, '');
    if (path.includes('..') || /^[a-z]+:/i.test(path))
      throw new DomainError(ErrorKind.InvalidArgument, 'That path is not allowed.');
    const bare = path.split('?')[0]!.replace(/\/+$/, '');
    const method = call.method.toUpperCase();

    if (method === 'GET' && call.kind === 'ollama' && bare === 'api/tags')
      return yield* this.json(await this.ollamaTags());
    if (method === 'GET' && call.kind === 'ollama' && bare === 'api/version')
      return yield* this.json(await this.ollamaVersion(signal));
    if (method === 'GET' && call.kind === 'openai' && bare === 'models')
      return yield* this.json(await this.openaiModels());

    let target: Candidate | undefined;
    let routedModel: Awaited<ReturnType<ModelsService['resolve']>> | undefined;
    if (method === 'POST' && MODEL_ROUTED.test(bare) && call.body.length) {
      const parsed = parseObject(call.body);
      const modelId =
        typeof parsed?.model === 'string'
          ? parsed.model
          : typeof parsed?.name === 'string'
            ? parsed.name
            : undefined;
      // The body is rewritten per candidate below, with the id that upstream knows the model by.
      if (modelId) routedModel = await this.models.resolve(modelId, call.kind);
    }
    if (!routedModel) {
      if (call.role !== 'admin' && !(call.kind === 'openai')) {
        throw new DomainError(ErrorKind.PermissionDenied, 'This action needs an administrator.');
      }
      const first = (await this.connections.active(call.kind))[0];
      if (!first)
        throw new DomainError(
          ErrorKind.NotFound,
          `No ${call.kind === 'ollama' ? 'Ollama' : 'OpenAI'} connection is enabled.`,
        );
      target = { connection: first, upstreamId: '' };
    }

    const send = async (candidate: Candidate) => {
      const payload = routedModel ? rewriteModel(call.body, candidate.upstreamId) : call.body;
      const res = await this.http.send({
        method,
        url: `${candidate.connection.baseUrl}/${path}`,
        headers: {
          ...(payload.length ? { 'content-type': call.contentType || 'application/json' } : {}),
          ...(candidate.connection.apiKey ? { authorization: `Bearer ${candidate.connection.apiKey}` } : {}),
        },
        body: payload.length ? payload : undefined,
        signal,
        headersTimeoutMs: this.config.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS,
      });
      if (res.status >= 500) {
        const origin = new URL(candidate.connection.baseUrl).origin;
        throw UpstreamFailure.fromResponse(
          origin,
          res.status,
          await res.text(this.config.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS),
        );
      }
      return res;
    };
    let res;
    try {
      res = routedModel
        ? (await this.router.firstThatStarts(routedModel, signal, send)).result
        : await send(target!);
    } catch (error) {
      if (error instanceof UpstreamFailure) return yield { error };
      throw error;
    }
    yield {
      head: { status: res.status, contentType: String(res.headers['content-type'] ?? 'application/json') },
    };
    try {
      for await (const chunk of res.chunks(
        this.config.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS,
        this.config.UPSTREAM_IDLE_TIMEOUT_MS,
      )) {
        yield { chunk };
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof UpstreamFailure) return yield { error };
      throw error;
    } finally {
      res.close();
    }
  }

  private async *json(value: unknown): AsyncGenerator<ProxyEvent> {
    yield { head: { status: 200, contentType: 'application/json' } };
    yield { chunk: Buffer.from(JSON.stringify(value)) };
  }

  private async ollamaTags() {
    const models = await this.models.list('ollama');
    return {
      models: models.map((m) => ({
        ...m.raw,
        name: m.id,
        model: m.id,
        urls: m.servedBy.map((s) => s.connection.position),
      })),
    };
  }

  private async openaiModels() {
    const models = await this.models.list('openai');
    return {
      object: 'list',
      data: models.map((m) => ({ ...m.raw, id: m.id, urlIdx: m.servedBy[0]!.connection.position })),
    };
  }

  /** The lowest version of the enabled Ollama connections (what Open WebUI answers). */
  private async ollamaVersion(signal: AbortSignal) {
    const connections = await this.connections.active('ollama');
    if (!connections.length) return { version: false };
    const timeoutMs = Math.round(this.config.AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST * 1000);
    const versions = await Promise.all(
      connections.map(async (c) => {
        try {
          const res = await this.http.send({
            method: 'GET',
            url: `${c.baseUrl}/api/version`,
            headers: c.apiKey ? { authorization: `Bearer ${c.apiKey}` } : {},
            signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
            headersTimeoutMs: timeoutMs,
          });
          const text = await res.text(timeoutMs);
          const version = (JSON.parse(text) as { version?: unknown }).version;
          return res.status === 200 && typeof version === 'string' ? version : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    const known = versions.filter((v): v is string => !!v);
    if (!known.length) throw new DomainError(ErrorKind.Unavailable, 'No Ollama server answered.');
    const parts = (v: string) =>
      v
        .replace(/^v|-.*$/g, '')
        .split('.')
        .map((n) => Number(n) || 0);
    known.sort((a, b) => {
      const [pa, pb] = [parts(a), parts(b)];
      for (let i = 0; i < Math.max(pa.length, pb.length); i++)
        if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
      return 0;
    });
    return { version: known[0] };
  }
}

function parseObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function rewriteModel(body: Buffer, upstreamId: string): Buffer {
  const parsed = parseObject(body)!;
  if (typeof parsed.model === 'string') parsed.model = upstreamId;
  else parsed.name = upstreamId;
  return Buffer.from(JSON.stringify(parsed));
}
