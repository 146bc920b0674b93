import {
  Agent as HttpAgent,
  ClientRequest,
  IncomingHttpHeaders,
  IncomingMessage,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { StringDecoder } from 'node:string_decoder';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { UpstreamFailure } from './upstream-failure';

export interface UpstreamRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Aborting destroys the request and its socket at once: the upstream sees the connection close. */
  signal: AbortSignal;
  /** Until the response headers arrive. */
  headersTimeoutMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, chunk by chunk; throws UpstreamFailure when the upstream breaks or stays silent too long. */
  chunks(firstChunkTimeoutMs: number, idleTimeoutMs: number): AsyncGenerator<Buffer>;
  /** The whole body as text (error answers, non-streamed completions). */
  text(timeoutMs: number, limitBytes?: number): Promise<string>;
  /** Closes the connection (a partly read response cannot go back to the pool). */
  close(): void;
}

/**
 * HTTP to upstream LLM servers on node:http with keep-alive pools. Chosen over fetch for one property: a
 * cancelled completion destroys its socket synchronously, so the upstream stops generating (and billing)
 * at once, and socket timeouts give separate first-token and between-token limits.
 */
@Injectable()
export class UpstreamHttpClient implements OnApplicationShutdown {
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' });
  /** One keep-alive agent per proxy and scheme, made when first needed. */
  private readonly proxyAgents = new Map<string, HttpAgent>();

  /**
   * The agent for an upstream URL: through the proxy HTTP_PROXY/HTTPS_PROXY name for it (NO_PROXY
   * exempts hosts; the standard variables, as Open WebUI's HTTP client honours them), else direct.
   */
  private agentFor(url: URL): HttpAgent {
    const isHttps = url.protocol === 'https:';
    const proxy = getProxyForUrl(url.href);
    if (!proxy) return isHttps ? this.httpsAgent : this.httpAgent;
    const key = `${isHttps ? 'https' : 'http'} ${proxy}`;
    let agent = this.proxyAgents.get(key);
    if (!agent) {
      const options = { keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' as const };
      agent = isHttps ? new HttpsProxyAgent(proxy, options) : new HttpProxyAgent(proxy, options);
      this.proxyAgents.set(key, agent);
    }
    return agent;
  }

  send(options: UpstreamRequest): Promise<UpstreamResponse> {
    const url = new URL(options.url);
    const origin = url.origin;
    const isHttps = url.protocol === 'https:';
    return new Promise<UpstreamResponse>((resolve, reject) => {
      if (options.signal.aborted) return reject(abortError(options.signal));
      const body = options.body === undefined ? undefined : Buffer.from(options.body);
      const req: ClientRequest = (isHttps ? httpsRequest : httpRequest)(url, {
        method: options.method,
        agent: this.agentFor(url),
        headers: { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      });
      let response: IncomingMessage | undefined;
      let failure: Error | undefined;
      const fail = (error: Error) => {
        failure ??= error;
        req.destroy(error);
        response?.destroy(error);
      };
      const onAbort = () => fail(abortError(options.signal));
      options.signal.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => options.signal.removeEventListener('abort', onAbort);
      req.setNoDelay(true);
      req.setTimeout(options.headersTimeoutMs, () => fail(UpstreamFailure.timeout(origin, 'answer')));
      req.once('error', (error: NodeJS.ErrnoException) => {
        cleanup();
        reject(failure ?? UpstreamFailure.unreachable(origin, error.code ?? error.message));
      });
      req.once('response', (res) => {
        response = res;
        res.once('close', cleanup);
        res.on('error', () => undefined); // surfaced by chunks()/text()
        resolve({
          status: res.statusCode ?? 502,
          headers: res.headers,
          close: () => {
            if (!res.complete) req.destroy();
            res.destroy();
          },
          chunks: (firstMs, idleMs) => readChunks(req, res, origin, firstMs, idleMs, () => failure),
          text: async (timeoutMs, limitBytes = 8 * 1024 * 1024) => {
            const parts: Buffer[] = [];
            let size = 0;
            for await (const chunk of readChunks(req, res, origin, timeoutMs, timeoutMs, () => failure)) {
              size += chunk.length;
              if (size > limitBytes) {
                req.destroy();
                throw new UpstreamFailure(
                  502,
                  `The model server at ${origin} sent an answer larger than ${limitBytes} bytes.`,
                  true,
                );
              }
              parts.push(chunk);
            }
            return Buffer.concat(parts).toString('utf8');
          },
        });
      });
      req.end(body);
    });
  }

  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    for (const agent of this.proxyAgents.values()) agent.destroy();
  }
}

async function* readChunks(
  req: ClientRequest,
  res: IncomingMessage,
  origin: string,
  firstChunkTimeoutMs: number,
  idleTimeoutMs: number,
  failure: () => Error | undefined,
): AsyncGenerator<Buffer> {
  let first = true;
  req.setTimeout(firstChunkTimeoutMs, () =>
    req.destroy(UpstreamFailure.timeout(origin, first ? 'send its first token' : 'send the next token')),
  );
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (first) {
        first = false;
        req.setTimeout(idleTimeoutMs);
      }
      yield chunk;
    }
    if (!res.complete) throw failure() ?? UpstreamFailure.broken(origin);
  } catch (error) {
    const cause = failure() ?? (req.errored as Error | null) ?? undefined;
    if (cause) throw cause;
    if (error instanceof UpstreamFailure) throw error;
    throw UpstreamFailure.broken(origin);
  } finally {
    // A consumer that stops early (cancelled, or done with a stream that has no clean end) closes it.
    if (!res.complete) req.destroy();
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

/** Splits a byte stream into text lines (SSE and NDJSON are line based); the last line may lack "\n". */
export async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of chunks) {
    pending += decoder.write(chunk);
    let index: number;
    while ((index = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, index).replace(/\r$/, '');
      pending = pending.slice(index + 1);
      yield line;
    }
  }
  pending += decoder.end();
  if (pending) yield pending;
}
