import { Writable } from 'node:stream';
import { ServerCredentials, status } from '@grpc/grpc-js';
import { DomainError, ErrorKind } from '@parley/errors';
import { GrpcServerHost, type Caller } from '@parley/grpc';
import { createLogger } from '@parley/logging';
import { chats, createParleyClient, ParleyApiError, parseTarget, type ParleyClient } from './index';
import { ChatService } from './gen/parley/api/v1/chat_service_pb';
import { CompletionService } from './gen/parley/api/v1/completion_service_pb';
import { ModelService } from './gen/parley/api/v1/model_service_pb';

const KEY = 'sk-test-key';

/**
 * A real grpc-js server (the project's own server host, as the gateway runs it) with a Bearer check and
 * small handlers, so the client is tested over the wire: metadata, serialisation, streams, cancellation,
 * and the error details a Parley server sends.
 */
describe('createParleyClient', () => {
  let host: GrpcServerHost;
  let sut: ParleyClient;
  let cancelled: Promise<void>;
  let port: number;
  const seenAuthorization: string[] = [];

  beforeAll(async () => {
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
    host = new GrpcServerHost(createLogger({ service: 'test', destination: quiet }), {
      callers: {
        authenticateCall: async (metadata): Promise<Caller> => {
          const header = String(metadata.get('authorization')[0] ?? '');
          seenAuthorization.push(header);
          if (header !== `Bearer ${KEY}`)
            throw new DomainError(ErrorKind.Unauthenticated, 'bad key', { code: 'UNAUTHENTICATED' });
          return { kind: 'user', userId: 'u1', role: 'user', groupIds: [], permissions: new Set() };
        },
      },
    });
    let markCancelled!: () => void;
    cancelled = new Promise((resolve) => (markCancelled = resolve));
    host.addService(ModelService, {
      listModels: async () => ({ models: [{ id: 'gpt-fake', name: 'Fake', ownedBy: 'openai' }] }),
    });
    host.addService(CompletionService, {
      complete: async () => ({ content: 'ok' }),
      streamCompletion: async (request, stream, call) => {
        for (let i = 0; ; i++) {
          if (call.signal.aborted) return markCancelled();
          if (request.messages[0]?.content === 'short' && i === 3)
            return stream.write({ done: true, usage: { totalTokens: 3 } });
          await stream.write({ delta: `d${i}` });
          await new Promise((r) => setImmediate(r));
        }
      },
    });
    const notFound = async () => {
      throw new DomainError(ErrorKind.NotFound, 'No such chat.', { code: 'CHAT_NOT_FOUND' });
    };
    host.addService(
      ChatService,
      Object.fromEntries(ChatService.methods.map((m) => [m.localName, notFound])) as never,
    );
    port = await host.listen(0, '127.0.0.1', ServerCredentials.createInsecure());
    sut = createParleyClient({ url: `grpc://127.0.0.1:${port}`, apiKey: KEY });
  });

  afterAll(async () => {
    sut?.close();
    await host?.drain(100);
  });

  it('sends the API key as Bearer metadata and answers with typed messages', async () => {
    const { models } = await sut.models.listModels({});
    expect(models.map((m) => [m.id, m.ownedBy])).toEqual([['gpt-fake', 'openai']]);
    expect(seenAuthorization.at(-1)).toBe(`Bearer ${KEY}`);
  });

  it('iterates a server stream to its end', async () => {
    const seen: string[] = [];
    for await (const response of sut.completions.streamCompletion({
      model: 'gpt-fake',
      messages: [{ role: chats.Role.USER, content: 'short' }],
    }))
      seen.push(response.done ? `done:${response.usage?.totalTokens}` : response.delta);
    expect(seen).toEqual(['d0', 'd1', 'd2', 'done:3']);
  });

  it('cancels the call when the loop is left early', async () => {
    for await (const response of sut.completions.streamCompletion({
      model: 'gpt-fake',
      messages: [{ role: chats.Role.USER, content: 'endless' }],
    }))
      if (response.delta === 'd2') break;
    await expect(cancelled).resolves.toBeUndefined();
  });

  it("fails with the status and the reason of the server's ErrorInfo", async () => {
    const error = await sut.chats.getChat({ id: 'c1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParleyApiError);
    expect(error).toMatchObject({
      code: status.NOT_FOUND,
      codeName: 'NOT_FOUND',
      reason: 'CHAT_NOT_FOUND',
      details: 'No such chat.',
    });
    const other = createParleyClient({ url: `127.0.0.1:${port}`, apiKey: 'sk-wrong' });
    try {
      await expect(other.models.listModels({})).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    } finally {
      other.close();
    }
  });

  it('reads TLS from the URL scheme', () => {
    expect(parseTarget('127.0.0.1:50050')).toEqual({ target: '127.0.0.1:50050', tls: false });
    expect(parseTarget('grpc://api.example.com:50050')).toEqual({
      target: 'api.example.com:50050',
      tls: false,
    });
    expect(parseTarget('grpcs://api.example.com:443')).toEqual({ target: 'api.example.com:443', tls: true });
    expect(parseTarget('https://api.example.com/')).toEqual({ target: 'api.example.com', tls: true });
  });
});
