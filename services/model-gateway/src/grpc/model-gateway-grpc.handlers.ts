import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorKind, httpStatusOf } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { CallContext, GrpcServerHost, ServerStream } from '@parley/grpc';
import { modelGatewayV1 } from '@parley/proto';
import { ConnectionKind, normaliseBaseUrl } from '../connections/connection';
import { ConnectionsService, ConnectionView } from '../connections/connections.service';
import { isMasked } from '../connections/key-masking';
import { actingAdmin, actingUser, type ActingUser } from '../authorization/acting-user';
import { CompletionsService } from '../completions/completions.service';
import { ModelsService } from '../models/models.service';
import { QuotaService } from '../quotas/quota.service';
import { UpstreamProxyService } from '../upstream-proxy/upstream-proxy.service';
import { UpstreamFailure } from '../upstream/upstream-failure';
import { ChunkBatcher } from './chunk-batcher';
import { ProxiedUsageMeter } from '../usage/proxied-usage-meter';
import { UsageService } from '../usage/usage.service';

const { ConnectionKind: Kind } = modelGatewayV1;

function kindOf(kind: modelGatewayV1.ConnectionKind, required: true): ConnectionKind;
function kindOf(kind: modelGatewayV1.ConnectionKind, required: false): ConnectionKind | undefined;
function kindOf(kind: modelGatewayV1.ConnectionKind, required: boolean): ConnectionKind | undefined {
  if (kind === Kind.OPENAI) return 'openai';
  if (kind === Kind.OLLAMA) return 'ollama';
  if (required) throw new DomainError(ErrorKind.InvalidArgument, 'kind must be OPENAI or OLLAMA.');
  return undefined;
}

const toKind = (kind: ConnectionKind) => (kind === 'openai' ? Kind.OPENAI : Kind.OLLAMA);
const upstreamError = (error: UpstreamFailure) => ({ httpStatus: error.httpStatus, message: error.message });

function configView(view: { enabled: boolean; connections: ConnectionView[] }) {
  return {
    enabled: view.enabled,
    connections: view.connections.map((c) => ({
      baseUrl: c.baseUrl,
      apiKey: c.apiKey,
      enable: c.enable,
      prefixId: c.prefixId,
      modelIds: c.modelIds,
      tags: c.tags,
      connectionType: c.connectionType,
    })),
  };
}

/**
 * Writes to a gRPC stream unless the caller has gone: a cancelled call never drains, so a plain write
 * would park the handler (and the upstream it reads) forever.
 */
async function write<T>(stream: ServerStream<never>, message: T, call: CallContext): Promise<boolean> {
  if (call.signal.aborted) return false;
  let onAbort!: () => void;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    call.signal.addEventListener('abort', onAbort, { once: true });
  });
  await Promise.race([(stream as ServerStream<never>).write(message as never), aborted]);
  call.signal.removeEventListener('abort', onAbort);
  return !call.signal.aborted;
}

const PROXIED_COMPLETION = /^(api\/(chat|generate)|chat\/completions|completions|v1\/chat\/completions)$/;

/** Whether a pass-through request starts a completion (Ollama's or OpenAI's). */
function isProxiedCompletion(method: string, path: string): boolean {
  const bare = path.replace(/^\/+/, '').split('?')[0]!.replace(/\/+$/, '');
  return method.toUpperCase() === 'POST' && PROXIED_COMPLETION.test(bare);
}

/** The ModelGatewayService contract, mapped onto the features. */
@Injectable()
export class ModelGatewayGrpcHandlers implements OnModuleInit {
  constructor(
    @Inject(GrpcServerHost) private readonly host: GrpcServerHost,
    @Inject(ModelsService) private readonly models: ModelsService,
    @Inject(CompletionsService) private readonly completions: CompletionsService,
    @Inject(UpstreamProxyService) private readonly proxy: UpstreamProxyService,
    @Inject(UsageService) private readonly usage: UsageService,
    @Inject(ConnectionsService) private readonly connections: ConnectionsService,
    @Inject(QuotaService) private readonly quotas: QuotaService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * A streaming handler's failure as its last message, not a gRPC status: grpc-js never sends the
   * status of a server stream that the host destroys with an error (the caller would wait forever),
   * and the gateway needs the HTTP status anyway.
   */
  private failureOf(error: unknown): { httpStatus: number; message: string; code?: string } {
    if (error instanceof UpstreamFailure) return upstreamError(error);
    if (error instanceof DomainError)
      return { httpStatus: httpStatusOf(error.kind), message: error.message, code: error.code };
    this.logger.error({ err: error }, 'a model-gateway stream failed');
    return { httpStatus: 500, message: 'The model gateway failed; its log has the details.' };
  }

  onModuleInit(): void {
    this.host.addService(modelGatewayV1.ModelGatewayService, {
      listModels: async (request, call) => {
        actingUser(call.caller);
        return {
          models: (await this.models.list(kindOf(request.kind, false))).map((m) => ({
            id: m.id,
            name: m.name,
            kind: toKind(m.kind),
            upstreamJson: JSON.stringify(m.raw),
            urlIndexes: m.servedBy.map((s) => s.connection.position),
            created: BigInt(m.created),
            tags: [...new Set(m.servedBy.flatMap((s) => s.connection.tags))],
            connectionType: m.servedBy[0]?.connection.connectionType ?? 'external',
          })),
        };
      },

      createChatCompletion: async (request, call) => {
        const caller = actingUser(call.caller);
        await this.quotas.admit(caller);
        const result = await this.completions.complete(caller, request.bodyJson, call.signal);
        return 'json' in result
          ? { result: { case: 'completionJson', value: result.json } }
          : { result: { case: 'error', value: upstreamError(result.error) } };
      },

      streamChatCompletion: async (request, stream, call) => {
        // Before anything is written: a refusal leaves as the call's status (RESOURCE_EXHAUSTED with
        // retry-after), which the gateway turns into a 429 with Retry-After.
        const caller = actingUser(call.caller);
        await this.quotas.admit(caller);
        const out = stream as ServerStream<never>;
        const batcher = new ChunkBatcher((chunks, last) =>
          write(
            out,
            {
              ...(chunks.length === 0
                ? {}
                : chunks.length === 1
                  ? { event: { case: 'chunkJson' as const, value: chunks[0]! } }
                  : { event: { case: 'batch' as const, value: { chunksJson: chunks } } }),
              last,
            },
            call,
          ),
        );
        try {
          for await (const event of this.completions.stream(caller, request.bodyJson, call.signal)) {
            // Open WebUI's leading `sources` event: an SSE data line of its own before the chunks.
            const chunk = 'sources' in event ? JSON.stringify({ sources: event.sources }) : undefined;
            if ('chunk' in event || chunk) {
              await batcher.add(chunk ?? (event as { chunk: string }).chunk);
              if (!batcher.isOpen) return;
              continue;
            }
            if (!('error' in event) || !(await batcher.flush())) return;
            await write(out, { event: { case: 'error' as const, value: upstreamError(event.error) } }, call);
            return;
          }
          // The upstream has ended: its last chunks and our end leave in one message.
          await batcher.end();
        } catch (error) {
          if (call.signal.aborted || !(await batcher.flush())) return;
          await write(out, { event: { case: 'error', value: this.failureOf(error) } }, call);
        }
      },

      proxyUpstream: async (request, stream, call) => {
        // A completion through the pass-through counts against the caller's quotas too (admitted before
        // anything is written, so a refusal is the call's status with retry-after).
        const caller = actingUser(call.caller);
        if (isProxiedCompletion(request.method, request.path)) await this.quotas.admit(caller);
        try {
          await this.proxyTo(caller, request, stream as ServerStream<never>, call);
        } catch (error) {
          if (call.signal.aborted) return;
          await write(
            stream as ServerStream<never>,
            { part: { case: 'error', value: this.failureOf(error) } },
            call,
          );
        }
      },

      getConnectionsConfig: async (request, call) => {
        actingAdmin(call.caller);
        return configView(await this.connections.view(kindOf(request.kind, true)));
      },

      updateConnectionsConfig: async (request, call) => {
        actingAdmin(call.caller);
        const view = await this.connections.update(
          kindOf(request.kind, true),
          request.connections.map((c) => ({
            baseUrl: c.baseUrl,
            apiKey: c.apiKey,
            enable: c.enable,
            prefixId: c.prefixId,
            modelIds: [...c.modelIds],
            tags: [...c.tags],
            connectionType: c.connectionType,
          })),
          request.enabled,
        );
        return configView(view);
      },

      verifyConnection: async (request, call) => {
        actingAdmin(call.caller);
        const kind = kindOf(request.kind, true);
        const baseUrl = normaliseBaseUrl(request.baseUrl);
        // The admin screen only ever has the masked key of a saved connection: test with the stored one.
        const apiKey = isMasked(request.apiKey)
          ? ((await this.connections.current()).all.find((c) => c.kind === kind && c.baseUrl === baseUrl)
              ?.apiKey ?? '')
          : request.apiKey;
        try {
          const raw = await this.models.fetchRaw({ kind, baseUrl, apiKey });
          return { result: { case: 'modelsJson', value: JSON.stringify(raw) } };
        } catch (error) {
          if (error instanceof UpstreamFailure)
            return { result: { case: 'error', value: upstreamError(error) } };
          throw error;
        }
      },
    });
  }

  private async proxyTo(
    caller: ActingUser,
    request: modelGatewayV1.ProxyUpstreamRequest,
    stream: ServerStream<never>,
    call: CallContext,
  ): Promise<void> {
    const body = Buffer.from(request.body);
    const events = this.proxy.proxy(
      {
        kind: kindOf(request.kind, true),
        method: request.method || 'GET',
        path: request.path,
        body,
        contentType: request.contentType,
        role: caller.role,
      },
      call.signal,
    );
    // A completion through the pass-through counts like any other: its usage is read from the bytes.
    const meter = isProxiedCompletion(request.method || 'GET', request.path)
      ? new ProxiedUsageMeter(body)
      : undefined;
    let succeeded = false;
    try {
      for await (const event of events) {
        if ('head' in event) {
          succeeded = event.head.status < 400;
          meter?.head(event.head.contentType);
        } else if ('chunk' in event) meter?.observe(event.chunk);
        const message =
          'head' in event
            ? { part: { case: 'head' as const, value: event.head } }
            : 'chunk' in event
              ? { part: { case: 'chunk' as const, value: new Uint8Array(event.chunk) } }
              : { part: { case: 'error' as const, value: upstreamError(event.error) } };
        if (!(await write(stream, message, call))) return;
      }
    } finally {
      if (meter && succeeded && meter.model) this.usage.record(caller.userId, meter.model, meter.result());
    }
  }
}
