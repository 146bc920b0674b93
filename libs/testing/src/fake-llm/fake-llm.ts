import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How the fake upstream fails. `status` answers every matching request with that HTTP status and an
 * error body in the upstream's format; `break` sends `afterTokens` tokens and then destroys the socket
 * (a stream that breaks mid-way); `hang` accepts the request and never answers (for timeouts).
 */
export type FakeLlmFailure =
  | { mode: 'status'; status: number; message?: string; times?: number }
  | { mode: 'break'; afterTokens: number; times?: number }
  | { mode: 'hang'; times?: number };

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
};

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * An LLM server for tests and benchmarks, speaking OpenAI's wire format (`GET /v1/models`,
 * `POST /v1/chat/completions` as JSON or SSE `data:` chunks ending with `data: [DONE]`, with `usage`) and
 * Ollama's (`GET /api/tags`, `GET /api/version`, `POST /api/chat` as JSON or NDJSON), with settable
 * tokens, latency and failures, and counters that show whether a client closed its connection.
 * `GET /__fake/stats` and `POST /__fake/settings` control it from another process.
 */
export async function startFakeLlm(
  initial: Partial<FakeLlmSettings> = {},
  options: { port?: number; host?: string } = {},
): Promise<FakeLlm> {
  const settings: FakeLlmSettings = { ...DEFAULTS, ...initial };
  const stats: FakeLlmStats = emptyStats();
  const sockets = new Set<Socket>();
  let failuresLeft = initial.failure?.times;

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
    if (settings.apiKey && req.headers.authorization !== `Bearer ${settings.apiKey}`) {
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
    if (!settings.models.includes(model)) {
      return ollamaChat
        ? sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` })
        : sendJson(
            res,
            404,
            openAiError(`The model \`${model}\` does not exist.`, 'invalid_request_error', 'model_not_found'),
          );
    }
    const failure = takeFailure();
    if (failure?.mode === 'status') {
      const message = failure.message ?? `fake upstream error ${failure.status}`;
      return sendJson(
        res,
        failure.status,
        ollamaChat ? { error: message } : openAiError(message, 'server_error'),
      );
    }
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

  function takeFailure(): FakeLlmFailure | undefined {
    const failure = settings.failure;
    if (!failure) return undefined;
    if (failuresLeft === undefined) return failure;
    if (failuresLeft <= 0) return undefined;
    failuresLeft--;
    return failure;
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
      if ('failure' in next) failuresLeft = next.failure?.times;
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
  };
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
  return text ? JSON.parse(text) : {};
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
