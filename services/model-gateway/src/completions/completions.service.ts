import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import type { ActingUser } from '../authorization/acting-user';
import { capabilitiesOf, ChatFilesService } from '../chat-files/chat-files.service';
import { ChatRetrievalService } from '../chat-files/chat-retrieval.service';
import type { AnswerSource } from '../chat-files/retrieval.client';
import { Connection } from '../connections/connection';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { ModelsService } from '../models/models.service';
import { PresetsService } from '../presets/presets.service';
import type { Preset } from '../presets/preset';
import { StreamUsageMeter, usageOfCompletion } from '../usage/token-usage';
import { UsageService } from '../usage/usage.service';
import { lines, UpstreamHttpClient, UpstreamResponse } from '../upstream/upstream-http.client';
import { sseData } from '../upstream/sse-data';
import { UpstreamFailure } from '../upstream/upstream-failure';
import {
  fromOllamaCompletion,
  OllamaChunk,
  OllamaStreamTranslator,
  toOllamaChatRequest,
} from '../upstream/ollama-translation';
import { Candidate, UpstreamRouter } from './upstream-router';

type Json = Record<string, unknown>;

/** `sources` comes first (before any chunk) when the answer is grounded in documents. */
export type StreamEvent = { chunk: string } | { error: UpstreamFailure } | { sources: AnswerSource[] };

/**
 * Who asks for a completion: the call's verified user (see actingUser), or the user a chat task stored.
 * Preset access comes from its role and groups, quotas from its id and groups.
 */
export type CompletionCaller = ActingUser;

/** Parses and checks an OpenAI chat completion request: a JSON object with a model and messages. */
export function parseCompletionRequest(bodyJson: string): Json & { model: string } {
  let body: unknown;
  try {
    body = JSON.parse(bodyJson);
  } catch {
    throw new DomainError(ErrorKind.InvalidArgument, 'The request body is not valid JSON.');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new DomainError(ErrorKind.InvalidArgument, 'The request body must be a JSON object.');
  const request = body as Json;
  if (typeof request.model !== 'string' || !request.model.trim())
    throw new DomainError(
      ErrorKind.InvalidArgument,
      'model is required: the id of a model from /api/models.',
    );
  if (!Array.isArray(request.messages) || request.messages.length === 0)
    throw new DomainError(
      ErrorKind.InvalidArgument,
      'messages must be a non-empty array of {role, content}.',
    );
  for (const [i, message] of (request.messages as unknown[]).entries()) {
    if (!message || typeof message !== 'object' || typeof (message as Json).role !== 'string')
      throw new DomainError(ErrorKind.InvalidArgument, `messages.${i} must be an object with a role.`);
  }
  return request as Json & { model: string };
}

/**
 * Chat completions against the upstreams, in OpenAI's format whatever the upstream speaks. Retries on
 * another upstream only before the first token (after it, a retry would repeat text the client has);
 * a stream that breaks later ends with an error event.
 */
@Injectable()
export class CompletionsService {
  constructor(
    @Inject(ModelsService) private readonly models: ModelsService,
    @Inject(UpstreamRouter) private readonly router: UpstreamRouter,
    @Inject(UpstreamHttpClient) private readonly http: UpstreamHttpClient,
    @Inject(MODEL_GATEWAY_CONFIG) private readonly config: ModelGatewayConfig,
    @Inject(PresetsService) private readonly presets: PresetsService,
    @Inject(UsageService) private readonly usage: UsageService,
    @Inject(ChatFilesService) private readonly files: ChatFilesService,
    @Inject(ChatRetrievalService) private readonly retrieval: ChatRetrievalService,
  ) {}

  /**
   * The request as it goes upstream and the model serving it: a preset becomes its base model with its
   * prompt and parameters; a preset the caller may not use is "not found", like an unknown id. The
   * messages' `files` become image parts and document text, read as the caller (docs/files-in-chats.md).
   */
  private async prepare(caller: CompletionCaller, bodyJson: string) {
    const request = parseCompletionRequest(bodyJson);
    const { body: onBase, preset } = await this.presets.forCompletion(caller, request);
    const { body: withPreset, model } = await this.servingModel(onBase, preset);
    const grounded = await this.retrieval.ground(caller, withPreset, preset?.knowledgeIds ?? []);
    const body = await this.files.attach(caller, grounded.body, capabilitiesOf(preset?.meta));
    return { requested: request.model, body, model, sources: grounded.sources };
  }

  /**
   * The model of the request's connection. A preset whose base model is gone falls back to the first
   * of DEFAULT_MODELS with ENABLE_CUSTOM_MODEL_FALLBACK (Open WebUI's behaviour); otherwise, and for
   * plain model ids, an unknown model is MODEL_NOT_FOUND.
   */
  private async servingModel<T extends { model: string }>(body: T, preset: Preset | undefined) {
    try {
      return { body, model: await this.models.resolve(body.model) };
    } catch (error) {
      const fallback = this.config.DEFAULT_MODELS.split(',')
        .map((id) => id.trim())
        .find(Boolean);
      const missing = error instanceof DomainError && error.code === 'MODEL_NOT_FOUND';
      if (!missing || !preset || !this.config.ENABLE_CUSTOM_MODEL_FALLBACK || !fallback) throw error;
      return { body: { ...body, model: fallback }, model: await this.models.resolve(fallback) };
    }
  }

  /**
   * Checks that the caller may use the request's model (a preset they may read, or a model of a
   * connection) without calling the upstream: NOT_FOUND otherwise, as the completion itself would say.
   */
  async checkModel(caller: CompletionCaller, bodyJson: string): Promise<void> {
    await this.prepare(caller, bodyJson);
  }

  /** A non-streamed completion: the JSON text, or the upstream failure to answer with. */
  async complete(
    caller: CompletionCaller,
    bodyJson: string,
    signal: AbortSignal,
  ): Promise<{ json: string } | { error: UpstreamFailure }> {
    const { requested, body, model, sources } = await this.prepare(caller, bodyJson);
    try {
      const { result } = await this.router.firstThatStarts(model, signal, async (candidate) => {
        const res = await this.open(candidate, body, false, signal);
        const origin = new URL(candidate.connection.baseUrl).origin;
        const text = await res.text(this.config.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS);
        if (res.status !== 200) throw UpstreamFailure.fromResponse(origin, res.status, text);
        if (candidate.connection.kind === 'openai') return text;
        return JSON.stringify(
          fromOllamaCompletion(
            parseJson(text, origin) as OllamaChunk,
            body.model,
            `chatcmpl-${randomUUID()}`,
            nowSeconds(),
          ),
        );
      });
      this.usage.record(caller.userId, requested, usageOfCompletion(result, body.messages));
      return { json: sources.length ? withSources(result, sources) : result };
    } catch (error) {
      if (error instanceof UpstreamFailure) return { error };
      throw error;
    }
  }

  /**
   * A streamed completion: one event per OpenAI chunk. Errors before the first chunk come as the only
   * event (the caller answers with its status); errors after it end the stream. Stopping the iteration
   * or aborting `signal` closes the upstream connection.
   */
  async *stream(
    caller: CompletionCaller,
    bodyJson: string,
    signal: AbortSignal,
  ): AsyncGenerator<StreamEvent> {
    const { requested, body, model, sources } = await this.prepare(caller, bodyJson);
    let started: { first: string[]; rest: AsyncGenerator<string>; candidate: Candidate };
    try {
      ({ result: started } = await this.router.firstThatStarts(model, signal, async (candidate) => {
        const res = await this.open(candidate, body, true, signal);
        const origin = new URL(candidate.connection.baseUrl).origin;
        if (res.status !== 200)
          throw UpstreamFailure.fromResponse(
            origin,
            res.status,
            await res.text(this.config.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS),
          );
        const rest = this.chunksOf(candidate.connection, res, body.model);
        // The attempt counts as started once a first chunk arrived; until then a failure may retry.
        const first = await rest.next();
        return { first: first.done ? [] : [first.value], rest, candidate };
      }));
    } catch (error) {
      if (error instanceof UpstreamFailure) {
        yield { error };
        return;
      }
      throw error;
    }
    const key = started.candidate.connection.id;
    const untrack = this.router.track(key);
    // Tokens are counted for whatever the upstream produced, also when the stream stops early.
    const meter = new StreamUsageMeter(body.messages);
    if (sources.length) yield { sources };
    try {
      for (const chunk of started.first) {
        meter.observe(chunk);
        yield { chunk };
      }
      for await (const chunk of started.rest) {
        meter.observe(chunk);
        yield { chunk };
      }
      this.router.breakers.succeeded(key);
    } catch (error) {
      if (signal.aborted) return;
      if (!(error instanceof UpstreamFailure)) throw error;
      if (error.countsAgainstUpstream) this.router.breakers.failed(key);
      yield { error };
    } finally {
      // Nothing here waits on I/O: the stream ends as soon as the upstream's did (usage is summed in
      // memory and written in batches, docs/performance.md).
      untrack();
      this.usage.record(caller.userId, requested, meter.result());
      await started.rest.return(undefined);
    }
  }

  private open(
    candidate: Candidate,
    body: Json,
    stream: boolean,
    signal: AbortSignal,
  ): Promise<UpstreamResponse> {
    const { connection, upstreamId } = candidate;
    const ollama = connection.kind === 'ollama';
    const payload = ollama
      ? toOllamaChatRequest(body, upstreamId, stream)
      : { ...body, model: upstreamId, stream };
    return this.http.send({
      method: 'POST',
      url: ollama ? `${connection.baseUrl}/api/chat` : `${connection.baseUrl}/chat/completions`,
      headers: {
        'content-type': 'application/json',
        accept: stream ? (ollama ? 'application/x-ndjson' : 'text/event-stream') : 'application/json',
        ...(connection.apiKey ? { authorization: `Bearer ${connection.apiKey}` } : {}),
      },
      body: JSON.stringify(payload),
      signal,
      headersTimeoutMs: this.config.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS,
    });
  }

  /** The upstream's stream as OpenAI chunk JSON texts; OpenAI chunks pass through untouched. */
  private async *chunksOf(
    connection: Connection,
    res: UpstreamResponse,
    model: string,
  ): AsyncGenerator<string> {
    const origin = new URL(connection.baseUrl).origin;
    const chunks = res.chunks(
      this.config.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS,
      this.config.UPSTREAM_IDLE_TIMEOUT_MS,
    );
    try {
      if (connection.kind === 'openai') {
        for await (const event of sseData(chunks)) {
          const data = event.trim();
          if (data === '[DONE]') return;
          if (data.startsWith('{"error"')) throw UpstreamFailure.fromResponse(origin, 502, data);
          if (data) yield data;
        }
        return;
      }
      const translator = new OllamaStreamTranslator(model, `chatcmpl-${randomUUID()}`, nowSeconds());
      for await (const line of lines(chunks)) {
        if (!line.trim()) continue;
        const chunk = parseJson(line, origin) as OllamaChunk;
        if (chunk.error) throw UpstreamFailure.fromResponse(origin, 502, line);
        yield JSON.stringify(translator.translate(chunk));
        if (chunk.done) return;
      }
    } finally {
      res.close();
    }
  }
}

function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamFailure(
      502,
      `The model server at ${origin} answered with something that is not JSON.`,
      true,
    );
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A non-streamed answer with the `sources` it cites, as Open WebUI adds them. */
function withSources(json: string, sources: AnswerSource[]): string {
  try {
    const parsed = JSON.parse(json) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return JSON.stringify({ ...parsed, sources });
  } catch {
    // Not JSON: passed on as it came.
  }
  return json;
}
