import { readFileSync } from 'node:fs';
import { credentials, status } from '@grpc/grpc-js';
import { apiV1Chats, apiV1Completions, apiV1Models } from '@parley/proto';
import { createTestCa, FakeLlm, Stack, startFakeLlm, startStack } from '@parley/testing';
import { failureOf, GrpcApiClient } from './support/grpc-api-client';
import { apiKeyOf, signUpsFrom } from './support/http';

const { ModelService } = apiV1Models;
const { CompletionService } = apiV1Completions;
const { Role } = apiV1Chats;

/**
 * The public gRPC API with GRPC_API_TLS_CERT_FILE/KEY_FILE set: TLS only (a plaintext client gets no
 * answer); and SIGTERM during a stream: the port takes no new calls, the stream in
 * flight finishes with `done`, and the gateway exits 0.
 */
describe('the public gRPC API over TLS, drained on SIGTERM', () => {
  let stack: Stack;
  let upstream: FakeLlm;
  let ca: ReturnType<typeof createTestCa>;
  let caPem: Buffer;
  let key: string;
  const clients: GrpcApiClient[] = [];
  const tlsClient = () => {
    const client = new GrpcApiClient(stack.grpcApiTargets[0]!, key, credentials.createSsl(caPem));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    upstream = await startFakeLlm({ models: ['gpt-fake'] });
    ca = createTestCa('parley-api-ca');
    const served = ca.issue('grpc-api');
    caPem = readFileSync(served.caFile);
    stack = await startStack({
      copies: { auth: 1, chat: 1, 'model-gateway': 1, gateway: 1 },
      env: {
        OPENAI_API_BASE_URLS: upstream.openaiBaseUrl,
        OPENAI_API_KEYS: '',
        ENABLE_OLLAMA_API: 'false',
        GRPC_API_TLS_CERT_FILE: served.certFile,
        GRPC_API_TLS_KEY_FILE: served.keyFile,
      },
    });
    const owner = await signUpsFrom('2001:db8:71')(stack.gatewayUrls[0]!, 'Owner');
    key = await apiKeyOf(stack.gatewayUrls[0]!, owner);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await stack?.stop();
    await upstream?.close();
  });

  it('answers over TLS only', async () => {
    const reply = await tlsClient().unary<
      typeof apiV1Models.ListModelsRequestSchema,
      typeof apiV1Models.ListModelsResponseSchema
    >(ModelService, 'listModels', {});
    expect(reply.models.map((m) => m.id)).toEqual(['gpt-fake']);
    const plaintext = new GrpcApiClient(stack.grpcApiTargets[0]!, key);
    clients.push(plaintext);
    const refused = await failureOf(plaintext.unary(ModelService, 'listModels', {}, { deadlineMs: 3_000 }));
    expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(refused.code);
  });

  it('finishes a stream in flight after SIGTERM, takes no new calls, and exits 0', async () => {
    upstream.set({ tokens: Array.from({ length: 12 }, (_, i) => `t${i} `), tokenDelayMs: 150 });
    const gateway = stack.services.gateway![0]!;
    const call = tlsClient().stream<typeof apiV1Completions.StreamCompletionResponseSchema>(
      CompletionService,
      'streamCompletion',
      { model: 'gpt-fake', messages: [{ role: Role.USER, content: 'Count slowly' }] },
    );
    const responses: Array<{ delta: string; done: boolean }> = [];
    const finished = (async () => {
      for await (const response of call) responses.push(response as { delta: string; done: boolean });
    })();
    while (!responses.some((r) => r.delta)) await new Promise((resolve) => setTimeout(resolve, 20));
    gateway.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A new connection finds the port closed while the old stream goes on.
    const late = await failureOf(tlsClient().unary(ModelService, 'listModels', {}, { deadlineMs: 2_000 }));
    expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(late.code);
    await finished;
    expect(responses.at(-1)!.done).toBe(true);
    expect(responses.map((r) => r.delta).join('')).toBe(
      Array.from({ length: 12 }, (_, i) => `t${i} `).join(''),
    );
    expect(await gateway.exited).toBe(0);
  });
});
