import { createServer, Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { startStack, Stack } from '@parley/testing';
import { request, signUp } from './support/http';
import { connectSocket, waitFor } from './support/sockets';

interface ExportedSpan {
  service: string;
  traceId: string;
  name: string;
}

/** A minimal OTLP/HTTP (JSON) receiver: what an OpenTelemetry collector would get. */
function startOtlpReceiver(spans: ExportedSpan[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const payload = JSON.parse(body || '{}') as {
        resourceSpans?: Array<{
          resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
          scopeSpans: Array<{ spans: Array<{ traceId: string; name: string }> }>;
        }>;
      };
      for (const resourceSpan of payload.resourceSpans ?? []) {
        const service =
          resourceSpan.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
        for (const scope of resourceSpan.scopeSpans)
          for (const span of scope.spans) spans.push({ service, traceId: span.traceId, name: span.name });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${address.port}` });
    }),
  );
}

describe('OpenTelemetry traces', () => {
  const spans: ExportedSpan[] = [];
  let receiver: { server: Server; url: string };
  let stack: Stack;

  beforeAll(async () => {
    receiver = await startOtlpReceiver(spans);
    stack = await startStack({
      copies: { auth: 1, chat: 1, realtime: 1, gateway: 1 },
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, DEFAULT_USER_ROLE: 'user' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    receiver?.server.close();
  });

  it("continues the caller's trace through gateway, chat (gRPC) and realtime (NATS) and exports it", async () => {
    const gateway = stack.gatewayUrls[0]!;
    const user = await signUp(gateway, 'Tracy', `tracy-${randomUUID()}@example.com`);
    const socket = await connectSocket(gateway, user.token);
    const traceId = randomBytes(16).toString('hex');
    const created = await request(gateway, 'POST', '/api/v1/chats/new', {
      token: user.token,
      body: { chat: { title: 'traced' } },
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(created.status).toBe(200);
    await waitFor(() => socket.events.some((e) => e.name === 'chat:created'), 5_000, 'the socket event');
    socket.close();
    // Each service exports in batches on its own schedule: wait for every expected span, not just one
    // span per service (the gateway's JWKS fetch can arrive before its HTTP span).
    const expected = [
      'gateway: HTTP POST /api/v1/chats/new',
      'gateway: parley.chat.v1.ChatService/CreateChat',
      'chat: parley.chat.v1.ChatService/CreateChat',
      'realtime: NATS chat.created',
    ];
    const names = () => spans.filter((s) => s.traceId === traceId).map((s) => `${s.service}: ${s.name}`);
    await waitFor(() => expected.every((name) => names().includes(name)), 15_000, 'every span of the trace');
    expect(names()).toEqual(expect.arrayContaining(expected));
  });
});
