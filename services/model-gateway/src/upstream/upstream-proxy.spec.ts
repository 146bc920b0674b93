import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamHttpClient } from './upstream-http.client';

/** A real HTTP forward proxy (absolute-URI requests, as HTTP_PROXY clients send them) that records what it forwards. */
function forwardProxy(): Promise<{ server: Server; url: string; forwarded: string[] }> {
  const forwarded: string[] = [];
  const server = createServer((req, res) => {
    forwarded.push(`${req.method} ${req.url}`);
    const target = new URL(req.url!);
    const out = request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(out);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, forwarded }),
    ),
  );
}

function upstream(): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => res.end(JSON.stringify({ data: [{ id: 'through-proxy' }] })));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

describe('UpstreamHttpClient and HTTP_PROXY / NO_PROXY', () => {
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  async function listModels(client: UpstreamHttpClient, url: string): Promise<string> {
    const answer = await client.send({
      method: 'GET',
      url: `${url}/v1/models`,
      signal: new AbortController().signal,
      headersTimeoutMs: 5_000,
    });
    return answer.text(5_000);
  }

  it('sends upstream calls through the proxy HTTP_PROXY names, and straight to hosts NO_PROXY exempts', async () => {
    const proxy = await forwardProxy();
    const llm = await upstream();
    const client = new UpstreamHttpClient();
    try {
      process.env.HTTP_PROXY = proxy.url;
      delete process.env.NO_PROXY;
      expect(await listModels(client, llm.url)).toContain('through-proxy');
      expect(proxy.forwarded).toEqual([`GET ${llm.url}/v1/models`]);

      process.env.NO_PROXY = '127.0.0.1';
      expect(await listModels(client, llm.url)).toContain('through-proxy');
      expect(proxy.forwarded).toHaveLength(1); // the second call went direct
    } finally {
      client.onApplicationShutdown();
      proxy.server.close();
      llm.server.close();
    }
  });
});
