import { vi } from 'vitest';

export interface FakeRequest {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

type Reply = { status?: number; body?: unknown; headers?: Record<string, string> };
type Handler = Reply | ((request: FakeRequest) => Reply);

/**
 * A fetch stand-in keyed by `'METHOD /path'` (query string included). Unknown
 * routes answer 404 with a detail, like the gateway. Every call is recorded.
 */
export function createFakeServer(routes: Record<string, Handler> = {}) {
  const handlers = new Map(Object.entries(routes));
  const requests: FakeRequest[] = [];

  const fetch = vi.fn(async (input: string, init: RequestInit): Promise<Response> => {
    const url = new URL(input, 'http://parley.test');
    const request: FakeRequest = {
      method: init.method ?? 'GET',
      path: url.pathname + url.search,
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      headers: { ...(init.headers as Record<string, string>) },
    };
    requests.push(request);
    const handler = handlers.get(`${request.method} ${request.path}`);
    const reply: Reply = !handler
      ? { status: 404, body: { detail: `No fake route for ${request.method} ${request.path}` } }
      : typeof handler === 'function'
        ? handler(request)
        : handler;
    const status = reply.status ?? 200;
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status,
      headers: { 'Content-Type': 'application/json', ...reply.headers },
    });
  });

  return {
    fetch,
    requests,
    on(route: string, handler: Handler) {
      handlers.set(route, handler);
    },
    callsTo(method: string, path: string) {
      return requests.filter((request) => request.method === method && request.path === path);
    },
  };
}

export type FakeServer = ReturnType<typeof createFakeServer>;
