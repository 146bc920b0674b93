import { DomainError, ErrorKind } from '@parley/errors';
import { createLogger } from '@parley/logging';
import { filesV1 } from '@parley/proto';
import { CallerSigner, CallerVerifier, serviceCaller } from './caller-assertion';
import { createGrpcClient } from './grpc-client';
import { GrpcServerHost, type CallContext } from './grpc-server-host';

const SECRET = 'a test secret for the client stream tests, 32+';

type Upload = AsyncIterable<{ part: { case?: string; value?: unknown } }>;

/** Client streams over a real loopback server (FilesService.UploadFile is the project's one). */
describe('GrpcServerHost client streams', () => {
  let handler: (requests: Upload, call: CallContext) => Promise<object> = async () => ({});
  let host: GrpcServerHost;
  let client: ReturnType<typeof createGrpcClient<(typeof filesV1.FilesService)['method']>>;

  beforeAll(async () => {
    host = new GrpcServerHost(createLogger({ service: 'spec', level: 'silent' }), {
      callers: new CallerVerifier({ secrets: [SECRET], audience: 'files' }),
    });
    host.addService(
      filesV1.FilesService,
      new Proxy({} as never, {
        get: (_target, name) =>
          name === 'uploadFile'
            ? (requests: Upload, call: CallContext) => handler(requests, call)
            : async () => ({}),
      }),
    );
    const port = await host.listen(0, '127.0.0.1');
    host.setServing(true);
    client = createGrpcClient(filesV1.FilesService, `127.0.0.1:${port}`, {
      deadlineMs: 5_000,
      peerName: 'files',
      signing: { signer: new CallerSigner({ secrets: [SECRET], issuer: 'spec' }), audience: 'files' },
      defaultCaller: serviceCaller('spec'),
    });
  });
  afterAll(async () => {
    client.close();
    await host.drain(1_000);
  });

  async function* chunks(count: number, fail?: Error) {
    yield { part: { case: 'metadata' as const, value: { filename: 'a.txt' } } };
    for (let i = 0; i < count; i++)
      yield { part: { case: 'chunk' as const, value: new Uint8Array(64 * 1024).fill(i) } };
    if (fail) throw fail;
  }

  it('delivers every message in order and answers once the handler returns', async () => {
    handler = async (requests) => {
      let bytes = 0;
      let first = '';
      for await (const request of requests) {
        if (request.part.case === 'metadata') first = (request.part.value as { filename: string }).filename;
        else bytes += (request.part.value as Uint8Array).length;
      }
      return { file: { filename: first, size: BigInt(bytes) } };
    };
    const reply = await client.uploadFile(chunks(40));
    expect(reply.file).toMatchObject({ filename: 'a.txt', size: BigInt(40 * 64 * 1024) });
  });

  it('cancels the call when the source breaks: the caller gets the source’s error and the handler’s signal aborts', async () => {
    let sawAbort!: (reason: string) => void;
    const handlerSaw = new Promise<string>((resolve) => (sawAbort = resolve));
    handler = async (requests, call) => {
      try {
        for await (const request of requests) void request;
      } catch {
        // A cancel may end the iteration with an error or, as grpc-js reports a reset stream, normally:
        // protocols that must not take partial input end with an explicit last message (FilesService).
      }
      if (!call.signal.aborted)
        await new Promise((resolve) => call.signal.addEventListener('abort', resolve, { once: true }));
      sawAbort((call.signal.reason as Error).message);
      return { file: { filename: 'never delivered' } };
    };
    await expect(client.uploadFile(chunks(5, new Error('source broke')))).rejects.toThrow('source broke');
    expect(await handlerSaw).toBe('the caller cancelled');
  });

  it('passes a handler refusal back as the error, with its code', async () => {
    handler = async () => {
      throw new DomainError(ErrorKind.PayloadTooLarge, 'too big', { code: 'FILE_TOO_LARGE' });
    };
    await expect(client.uploadFile(chunks(3))).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
  });
});
