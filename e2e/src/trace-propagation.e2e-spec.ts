import { randomBytes, randomUUID } from 'node:crypto';
import { startStack, Stack } from '@parley/testing';
import { request, signUp } from './support/http';
import { startOtlpReceiver, type ExportedSpan } from './support/otlp-receiver';
import { connectSocket, waitFor } from './support/sockets';

describe('OpenTelemetry traces', () => {
  let spans: ExportedSpan[] = [];
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let stack: Stack;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    spans = receiver.spans;
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
