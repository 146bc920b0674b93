import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  embeddingToBase64,
  fakeEmbedding,
  fakeEmbeddingDimension,
  fakeRerank,
  MAX_EMBEDDING_DIMENSION,
} from './fake-embeddings';

/**
 * How the fake upstream fails. `status` answers every matching request with that HTTP status and an
 * error body in the upstream's format; `break` sends `afterTokens` tokens and then destroys the socket
 * (a stream that breaks mid-way); `hang` accepts the request and never answers (for timeouts).
 */
export type FakeLlmFailure =
  | { mode: 'status'; status: number; message?: string; times?: number }
  | { mode: 'break'; afterTokens: number; times?: number }
  | { mode: 'hang'; times?: number };

/** How embedding requests fail: an HTTP status in the upstream's format, or no answer at all. */
export type FakeEmbeddingFailure = Extract<FakeLlmFailure, { mode: 'status' | 'hang' }>;

export interface FakeLlmSettings {
  /** Model ids it lists and accepts; any other id gets a 404 in the upstream's format. */
  models: string[];
  /** The answer, token by token. */
  tokens: string[];
  /** Delay before the first token, in ms. */
  firstTokenDelayMs: number;
  /** Delay between tokens, in ms. */
  tokenDelayMs: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
  apiKey?: string;
  /** Makes the next `times` completion requests (all, when unset) fail this way. */
  failure?: FakeLlmFailure;
  /** Answers /api/version with this. */
  ollamaVersion: string;
  /** false: answers carry no token counts (OpenAI `usage`, Ollama `prompt_eval_count`/`eval_count`). */
  reportUsage: boolean;
  /**
   * Embedding model ids it accepts (not listed with the chat models); any other gets a 404 in the
   * upstream's format. A name ending in `-<digits>` embeds in that many dimensions, any other in 384.
   */
  embeddingModels: string[];
  /** Delay before each embedding answer, in ms. */
  embeddingDelayMs: number;
  /** Makes the next `times` embedding requests (all, when unset) fail this way. */
  embeddingFailure?: FakeEmbeddingFailure;
  /** When set, rerank requests need `Authorization: Bearer <rerankerApiKey>` instead of apiKey. */
  rerankerApiKey?: string;
}

export interface FakeLlmStats {
  /** Every HTTP request received. */
  requests: number;
  /** Chat completion requests received (both formats). */
  completions: number;
  /** TCP connections open right now (idle keep-alive ones included). */
  openConnections: number;
  /** Completion responses being written right now. */
  activeStreams: number;
  /** Completion responses that ended because the client went away before the last token. */
  abortedStreams: number;
  /** Completion responses written to the end. */
  completedStreams: number;
  /** Streamed tokens written, over every response: a clock in tokens, for "closed before N more tokens". */
  tokensWritten: number;
  /** The last completion request: path, authorization header and JSON body. */
  lastRequest?: { path: string; authorization?: string; body: Record<string, unknown> };
  /** Every completion request's JSON body since the last reset, oldest first (at most 100). */
  requestBodies: Array<Record<string, unknown>>;
  /** Embedding requests received (both formats). */
  embeddingRequests: number;
  /** Texts embedded, over every successful embedding request. */
  embeddedInputs: number;
  /** Every embedding request's path and JSON body since the last reset, oldest first (at most 100). */
  embeddingRequestBodies: Array<{ path: string; body: Record<string, unknown> }>;
  /** Rerank requests received. */
  rerankRequests: number;
  /** Every rerank request's JSON body since the last reset, oldest first (at most 100). */
  rerankRequestBodies: Array<Record<string, unknown>>;
}

export interface FakeLlm {
  /** http://127.0.0.1:<port> (Ollama's base URL). */
  url: string;
  /** http://127.0.0.1:<port>/v1 (an OpenAI base URL). */
  openaiBaseUrl: string;
  port: number;
  settings: FakeLlmSettings;
  stats: FakeLlmStats;
  /** Changes settings for the requests that follow. */
  set(settings: Partial<FakeLlmSettings>): void;
  resetStats(): void;
  /** Resolves when `check(stats)` holds, or rejects after timeoutMs. */
  waitFor(check: (stats: FakeLlmStats) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const DEFAULTS: FakeLlmSettings = {
  models: ['fake-model'],
  tokens: ['Hello', ',', ' world', '!'],
  firstTokenDelayMs: 0,
  tokenDelayMs: 0,
  ollamaVersion: '0.6.4',
  reportUsage: true,
  embeddingModels: ['fake-embed', 'fake-embed-768'],
  embeddingDelayMs: 0,
};

const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Inputs × dimensions in one embedding answer: 2048 texts at 2000 dimensions, a few dozen MB of JSON. */
const MAX_VALUES_PER_ANSWER = 2048 * 2000;

/**
 * An LLM server for tests and benchmarks, speaking OpenAI's wire format (`GET /v1/models`,
 * `POST /v1/chat/completions` as JSON or SSE `data:` chunks ending with `data: [DONE]`, with `usage`) and
 * Ollama's (`GET /api/tags`, `GET /api/version`, `POST /api/chat` as JSON or NDJSON), with settable
 * tokens, latency and failures, and counters that show whether a client closed its connection.
 * Embeddings (`POST /v1/embeddings`, Ollama's `POST /api/embed`) are deterministic hashed bags of words
 * (fake-embeddings.ts), and `POST /v1/rerank` is an external reranker in the shape Open WebUI calls.
 * `GET /__fake/stats` and `POST /__fake/settings` control it from another process.
 */
export async function startFakeLlm(
  initial: Partial<FakeLlmSettings> = {},
  options: { port?: number; host?: string } = {},
): Promise<FakeLlm> {
  const settings: FakeLlmSettings = { ...DEFAULTS, ...initial };
  const stats: FakeLlmStats = emptyStats();
  const sockets = new Set<Socket>();
  const completionFailures = failureSchedule(() => settings.failure);
  const embeddingFailures = failureSchedule(() => settings.embeddingFailure);
  completionFailures.reset(initial.failure);
  embeddingFailures.reset(initial.embeddingFailure);

  const server: Server = createServer((req, res) => {
    stats.requests++;
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'fake upstream failed' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/__fake/stats') return sendJson(res, 200, snapshot());
    if (path === '/__fake/settings' && req.method === 'POST') {
      fake.set((await readJson(req)) as Partial<FakeLlmSettings>);
      return sendJson(res, 200, settings);
    }
    if (path === '/__fake/reset' && req.method === 'POST') {
      fake.resetStats();
      return sendJson(res, 200, snapshot());
    }
    const ollama = path.startsWith('/api/');
    const rerank = req.method === 'POST' && (path === '/v1/rerank' || path === '/rerank');
    const apiKey = rerank ? (settings.rerankerApiKey ?? settings.apiKey) : settings.apiKey;
    if (apiKey && req.headers.authorization !== `Bearer ${apiKey}`) {
      return ollama
        ? sendJson(res, 401, { error: 'unauthorized' })
        : sendJson(res, 401, openAiError('Incorrect API key provided.', 'invalid_request_error'));
    }
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return sendJson(res, 200, {
        object: 'list',
        data: settings.models.map((id) => ({
          id,
          object: 'model',
          created: 1_700_000_000,
          owned_by: 'fake',
        })),
      });
    }
    if (req.method === 'GET' && path === '/api/tags') {
      return sendJson(res, 200, {
        models: settings.models.map((name) => ({
          name,
          model: name,
          modified_at: '2025-01-01T00:00:00Z',
          size: 1_000,
          digest: 'sha256:fake',
          details: { format: 'gguf', family: 'fake', parameter_size: '1B', quantization_level: 'Q4_0' },
        })),
      });
    }
    if (req.method === 'GET' && path === '/api/version') {
      return sendJson(res, 200, { version: settings.ollamaVersion });
    }
    if (rerank) return handleRerank(req, res);
    if (req.method === 'POST' && path === '/api/generate') return handleGenerate(req, res);
    if (
      req.method === 'POST' &&
      (path === '/v1/embeddings' || path === '/embeddings' || path === '/api/embed')
    )
      return handleEmbeddings(req, res, path);
    const openai = req.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions');
    const ollamaChat = req.method === 'POST' && path === '/api/chat';
    if (!openai && !ollamaChat) {
      return ollama
        ? sendJson(res, 404, { error: `${req.method} ${path} not found` })
        : sendJson(
            res,
            404,
            openAiError(`Unknown request URL: ${req.method} ${path}`, 'invalid_request_error'),
          );
    }
    let body: Record<string, unknown>;
    try {
      body = (await readJson(req)) as Record<string, unknown>;
    } catch {
      return sendJson(
        res,
        400,
        ollamaChat ? { error: 'invalid JSON' } : openAiError('invalid JSON body', 'invalid_request_error'),
      );
    }
    stats.completions++;
    stats.lastRequest = { path, authorization: req.headers.authorization, body };
    stats.requestBodies = [...stats.requestBodies.slice(-99), body];
    const model = typeof body.model === 'string' ? body.model : '';
    if (!settings.models.includes(model)) return sendUnknownModel(res, model, ollamaChat);
    const failure = completionFailures.take();
    if (failure?.mode === 'status') return sendFailureStatus(res, failure, ollamaChat);
    if (failure?.mode === 'hang') {
      stats.activeStreams++;
      res.once('close', () => {
        stats.activeStreams--;
        stats.abortedStreams++;
      });
      return;
    }
    const breakAfter = failure?.mode === 'break' ? failure.afterTokens : undefined;
    const stream = body.stream === true || (ollamaChat && body.stream === undefined);
    await respond(req, res, { ollama: ollamaChat, stream, model, body, breakAfter });
  }

  /**
   * Ollama's generate, not streamed: the tokens as one answer, or with an empty prompt the load/unload
   * call (`keep_alive: 0` unloads, done_reason "unload"), as Ollama answers them. Counted as a completion.
   */
  async function handleGenerate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = (await readJson(req)) as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, { error: 'invalid JSON' });
    }
    stats.completions++;
    stats.lastRequest = { path: '/api/generate', authorization: req.headers.authorization, body };
    stats.requestBodies = [...stats.requestBodies.slice(-99), body];
    const model = typeof body.model === 'string' ? body.model : '';
    if (!settings.models.includes(model)) return sendUnknownModel(res, model, true);
    const prompt = typeof body.prompt === 'string' ? body.prompt : '';
    sendJson(res, 200, {
      model,
      created_at: new Date().toISOString(),
      response: prompt ? settings.tokens.join('') : '',
      done: true,
      done_reason: prompt ? 'stop' : body.keep_alive === 0 ? 'unload' : 'load',
    });
  }

  async function handleEmbeddings(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const ollama = path === '/api/embed';
    const error = (status: number, message: string) =>
      sendJson(res, status, ollama ? { error: message } : openAiError(message, 'invalid_request_error'));
    stats.embeddingRequests++;
    let body: Record<string, unknown>;
    try {
      body = (await readJson(req)) as Record<string, unknown>;
    } catch {
      return error(400, 'invalid JSON body');
    }
    stats.embeddingRequestBodies = [...stats.embeddingRequestBodies.slice(-99), { path, body }];
    const model = typeof body.model === 'string' ? body.model : '';
    if (!settings.embeddingModels.includes(model)) return sendUnknownModel(res, model, ollama);
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    if (
      !Array.isArray(inputs) ||
      inputs.length === 0 ||
      inputs.length > 2048 ||
      !inputs.every((input) => typeof input === 'string' && input.length > 0)
    ) {
      return error(400, "'input' must be a non-empty string or an array of 1 to 2048 non-empty strings");
    }
    const format = ollama ? 'float' : (body.encoding_format ?? 'float');
    if (format !== 'float' && format !== 'base64') {
      return error(400, "'encoding_format' must be 'float' or 'base64'");
    }
    const dimension = body.dimensions === undefined ? fakeEmbeddingDimension(model) : body.dimensions;
    if (
      !Number.isInteger(dimension) ||
      (dimension as number) < 1 ||
      (dimension as number) > MAX_EMBEDDING_DIMENSION
    ) {
      return error(400, `'dimensions' must be an integer from 1 to ${MAX_EMBEDDING_DIMENSION}`);
    }
    if (inputs.length * (dimension as number) > MAX_VALUES_PER_ANSWER) {
      return error(400, `at most ${MAX_VALUES_PER_ANSWER} values per answer: send fewer inputs at a time`);
    }
    const failure = embeddingFailures.take();
    if (failure?.mode === 'hang') return;
    if (settings.embeddingDelayMs > 0)
      await new Promise((resolve) => setTimeout(resolve, settings.embeddingDelayMs));
    if (failure?.mode === 'status') return sendFailureStatus(res, failure, ollama);
    const vectors = (inputs as string[]).map((input) => fakeEmbedding(input, dimension as number));
    stats.embeddedInputs += vectors.length;
    const promptTokens = (inputs as string[]).reduce(
      (sum, input) => sum + input.split(/\s+/).filter(Boolean).length,
      0,
    );
    if (ollama) {
      return sendJson(res, 200, {
        model,
        embeddings: vectors,
        ...(settings.reportUsage ? { prompt_eval_count: promptTokens } : {}),
      });
    }
    return sendJson(res, 200, {
      object: 'list',
      data: vectors.map((vector, index) => ({
        object: 'embedding',
        index,
        embedding: format === 'base64' ? embeddingToBase64(vector) : vector,
      })),
      model,
      ...(settings.reportUsage ? { usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } } : {}),
    });
  }

  async function handleRerank(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const error = (message: string) =>
      sendJson(res, 400, { error: { message, type: 'invalid_request_error' } });
    stats.rerankRequests++;
    let body: Record<string, unknown>;
    try {
      body = (await readJson(req)) as Record<string, unknown>;
    } catch {
      return error('invalid JSON body');
    }
    stats.rerankRequestBodies = [...stats.rerankRequestBodies.slice(-99), body];
    const { query, documents, top_n: topN } = body;
    if (typeof query !== 'string' || query.trim() === '') return error("'query' must be a non-empty string");
    if (!Array.isArray(documents) || !documents.every((document) => typeof document === 'string'))
      return error("'documents' must be an array of strings");
    if (topN !== undefined && topN !== null && (!Number.isInteger(topN) || (topN as number) < 1))
      return error("'top_n' must be a positive integer");
    const results = fakeRerank(query, documents as string[]);
    return sendJson(res, 200, {
      model: typeof body.model === 'string' ? body.model : '',
      results: typeof topN === 'number' ? results.slice(0, topN) : results,
    });
  }

  async function respond(
    req: IncomingMessage,
    res: ServerResponse,
    call: {
      ollama: boolean;
      stream: boolean;
      model: string;
      body: Record<string, unknown>;
      breakAfter?: number;
    },
  ): Promise<void> {
    const tokens = [...settings.tokens];
    const promptTokens = countPromptTokens(call.body.messages);
    const id = `chatcmpl-fake${Date.now().toString(36)}`;
    const created = Math.floor(Date.now() / 1000);
    let closed = false;
    stats.activeStreams++;
    res.once('close', () => {
      closed = true;
      stats.activeStreams--;
      if (!res.writableFinished) stats.abortedStreams++;
      else stats.completedStreams++;
    });
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: tokens.length,
      total_tokens: promptTokens + tokens.length,
    };
    const counts = settings.reportUsage
      ? { prompt_eval_count: usage.prompt_tokens, eval_count: usage.completion_tokens }
      : {};
    const wait = (ms: number) =>
      ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

    if (!call.stream) {
      await wait(settings.firstTokenDelayMs + settings.tokenDelayMs * Math.max(0, tokens.length - 1));
      if (closed) return;
      if (call.breakAfter !== undefined) return void req.socket.destroy();
      const content = tokens.join('');
      if (call.ollama) {
        return sendJson(res, 200, {
          model: call.model,
          created_at: new Date().toISOString(),
          message: { role: 'assistant', content },
          done: true,
          done_reason: 'stop',
          ...counts,
        });
      }
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: call.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        ...(settings.reportUsage ? { usage } : {}),
      });
    }

    res.writeHead(200, {
      'content-type': call.ollama ? 'application/x-ndjson' : 'text/event-stream',
      'cache-control': 'no-cache',
    });
    res.flushHeaders();
    const includeUsage =
      (call.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    for (let i = 0; i < tokens.length; i++) {
      await wait(i === 0 ? settings.firstTokenDelayMs : settings.tokenDelayMs);
      if (closed) return;
      if (call.breakAfter !== undefined && i >= call.breakAfter) return void req.socket.destroy();
      stats.tokensWritten++;
      if (call.ollama) {
        res.write(
          `${JSON.stringify({ model: call.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: tokens[i] }, done: false })}\n`,
        );
      } else {
        const delta = i === 0 ? { role: 'assistant', content: tokens[i] } : { content: tokens[i] };
        res.write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: call.model, choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`,
        );
      }
    }
    if (call.breakAfter !== undefined && call.breakAfter <= tokens.length) return void req.socket.destroy();
    if (call.ollama) {
      res.end(
        `${JSON.stringify({ model: call.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', ...counts })}\n`,
      );
      return;
    }
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: call.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
    );
    if (includeUsage && settings.reportUsage) {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: call.model, choices: [], usage })}\n\n`,
      );
    }
    res.end('data: [DONE]\n\n');
  }

  function snapshot(): FakeLlmStats {
    return { ...stats, openConnections: sockets.size };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;

  const fake: FakeLlm = {
    url,
    openaiBaseUrl: `${url}/v1`,
    port,
    settings,
    get stats() {
      return snapshot();
    },
    set(next) {
      Object.assign(settings, next);
      if ('failure' in next) completionFailures.reset(next.failure);
      if ('embeddingFailure' in next) embeddingFailures.reset(next.embeddingFailure);
    },
    resetStats() {
      Object.assign(stats, emptyStats(), { activeStreams: stats.activeStreams });
    },
    async waitFor(check, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check(snapshot())) {
        if (Date.now() > deadline)
          throw new Error(
            `fake LLM: condition not met within ${timeoutMs} ms: ${JSON.stringify(snapshot())}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
  return fake;
}

/** A failure setting with its `times` budget: take() says whether the next request fails, and how. */
function failureSchedule<F extends { times?: number }>(current: () => F | undefined) {
  let left: number | undefined;
  return {
    reset(failure: F | undefined) {
      left = failure?.times;
    },
    take(): F | undefined {
      const failure = current();
      if (!failure || left === undefined) return failure;
      if (left <= 0) return undefined;
      left--;
      return failure;
    },
  };
}

function emptyStats(): FakeLlmStats {
  return {
    requests: 0,
    completions: 0,
    openConnections: 0,
    activeStreams: 0,
    abortedStreams: 0,
    completedStreams: 0,
    tokensWritten: 0,
    requestBodies: [],
    embeddingRequests: 0,
    embeddedInputs: 0,
    embeddingRequestBodies: [],
    rerankRequests: 0,
    rerankRequestBodies: [],
  };
}

function sendUnknownModel(res: ServerResponse, model: string, ollama: boolean): void {
  if (ollama) return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
  const message = `The model \`${model}\` does not exist.`;
  sendJson(res, 404, openAiError(message, 'invalid_request_error', 'model_not_found'));
}

function sendFailureStatus(
  res: ServerResponse,
  failure: Extract<FakeLlmFailure, { mode: 'status' }>,
  ollama: boolean,
): void {
  const message = failure.message ?? `fake upstream error ${failure.status}`;
  sendJson(res, failure.status, ollama ? { error: message } : openAiError(message, 'server_error'));
}

function openAiError(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const value: unknown = text ? JSON.parse(text) : {};
  // Every route takes an object; anything else is as bad a body as broken JSON.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value;
}

/** A rough token count (words and punctuation) of the prompt's text, as `usage.prompt_tokens`. */
function countPromptTokens(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  let count = 0;
  for (const message of messages as Array<{ content?: unknown }>) {
    const content =
      typeof message?.content === 'string' ? message.content : JSON.stringify(message?.content ?? '');
    count += content.split(/\s+|(?=[.,!?])/).filter(Boolean).length;
  }
  return count;
}
