import { createHash, randomBytes } from 'node:crypto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { apiV1Files } from '@parley/proto';
import { Stack, startStack } from '@parley/testing';
import { failedCall, GrpcApiClient, statusDetailsOf } from './support/grpc-api-client';
import { apiKeyOf, request, signUpsFrom, type SignedUp } from './support/http';

const { FileService, ProcessingState } = apiV1Files;
type S = typeof apiV1Files;
type UploadMessage = MessageInitShape<S['UploadFileRequestSchema']>;

const MB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** An upload as a platform team sends one: the metadata, then the bytes in chunks of `chunkBytes`. */
function* uploadMessages(
  metadata: MessageInitShape<S['UploadMetadataSchema']>,
  bytes: Uint8Array,
  chunkBytes = 256 * 1024,
): Generator<UploadMessage> {
  yield { part: { case: 'metadata', value: metadata } };
  for (let at = 0; at < bytes.length; at += chunkBytes)
    yield { part: { case: 'chunk', value: bytes.subarray(at, at + chunkBytes) } };
}

/**
 * parley.api.v1.FileService on two gateway copies with an API key: a file uploaded over gRPC on copy A
 * is the REST file on copy B and downloads there with the same bytes; another user meets NOT_FOUND; the
 * files service's limits (RAG_FILE_MAX_SIZE, RAG_ALLOWED_FILE_EXTENSIONS) refuse over gRPC as over
 * REST, mid-stream, keeping nothing; invalid fields come back as google.rpc.BadRequest violations.
 */
describe('the public gRPC API: FileService on two gateway copies', () => {
  const signUpAs = signUpsFrom('2001:db8:15f::');
  let stack: Stack;
  let gatewayB: string;
  let owner: SignedUp;
  let a: GrpcApiClient;
  let b: GrpcApiClient;
  let theirs: GrpcApiClient;

  const upload = (
    client: GrpcApiClient,
    metadata: MessageInitShape<S['UploadMetadataSchema']>,
    bytes: Uint8Array,
    chunkBytes?: number,
    options?: { end?: boolean },
  ) =>
    client.clientStream<S['UploadFileResponseSchema']>(
      FileService,
      'uploadFile',
      uploadMessages(metadata, bytes, chunkBytes),
      options,
    );
  const getFile = (client: GrpcApiClient, id: string) =>
    client.unary<S['GetFileRequestSchema'], S['GetFileResponseSchema']>(FileService, 'getFile', { id });
  const deleteFile = (client: GrpcApiClient, id: string) =>
    client.unary<S['DeleteFileRequestSchema'], S['DeleteFileResponseSchema']>(FileService, 'deleteFile', {
      id,
    });
  const download = (client: GrpcApiClient, id: string) =>
    client.collect<S['DownloadFileResponseSchema']>(FileService, 'downloadFile', { id });
  const restFileIds = async () => {
    const listed = await request<Array<{ id: string }>>(gatewayB, 'GET', '/api/v1/files/?content=false', {
      token: owner.token,
    });
    expect(listed.status).toBe(200);
    return listed.body.map((f) => f.id);
  };

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, files: 1, gateway: 2 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        RAG_FILE_MAX_SIZE: '2',
        RAG_ALLOWED_FILE_EXTENSIONS: 'txt,md',
      },
    });
    const [gatewayA] = stack.gatewayUrls as [string, string];
    gatewayB = stack.gatewayUrls[1]!;
    // The first account is the admin (who reaches every file); the two below are plain users.
    await signUpAs(gatewayA, 'Admin');
    owner = await signUpAs(gatewayA, 'Owner');
    const other = await signUpAs(gatewayB, 'Other');
    const key = await apiKeyOf(gatewayA, owner);
    const [targetA, targetB] = stack.grpcApiTargets as [string, string];
    a = new GrpcApiClient(targetA, key);
    b = new GrpcApiClient(targetB, key);
    theirs = new GrpcApiClient(targetB, await apiKeyOf(gatewayB, other));
  }, 180_000);

  afterAll(async () => {
    for (const client of [a, b, theirs]) client?.close();
    await stack?.stop();
  });

  it('uploads on copy A; REST and DownloadFile on copy B give the same bytes; another user gets NOT_FOUND', async () => {
    // 1.5 MB of text, in 256 KiB messages: several internal 64 KiB chunks each.
    const bytes = Buffer.from(randomBytes(768 * 1024).toString('hex'));
    const uploaded = await upload(
      a,
      { filename: 'dir/report.txt', contentType: 'text/plain', size: BigInt(bytes.length) },
      bytes,
    );
    expect(uploaded.error).toBeUndefined();
    const file = uploaded.response!.file!;
    expect(file).toMatchObject({
      name: `files/${file.id}`,
      filename: 'report.txt',
      contentType: 'text/plain',
      sizeBytes: BigInt(bytes.length),
      sha256: sha256(bytes),
      processingState: ProcessingState.PENDING,
    });

    const rest = await request<{ id: string; hash: string; meta: { size: number } }>(
      gatewayB,
      'GET',
      `/api/v1/files/${file.id}`,
      { token: owner.token },
    );
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ id: file.id, hash: sha256(bytes), meta: { size: bytes.length } });
    const content = await fetch(`${gatewayB}/api/v1/files/${file.id}/content`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(content.status).toBe(200);
    expect(sha256(new Uint8Array(await content.arrayBuffer()))).toBe(sha256(bytes));

    const streamed = await download(b, file.id);
    expect(streamed[0]!.part).toMatchObject({
      case: 'file',
      value: { id: file.id, sizeBytes: BigInt(bytes.length) },
    });
    const chunks = streamed.slice(1).map((m) => (m.part.case === 'chunk' ? m.part.value : new Uint8Array()));
    expect(chunks.length).toBeGreaterThan(1);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(64 * 1024);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(bytes));

    // Extraction runs in the background; GetFile on the other copy sees it finish.
    let state = (await getFile(b, file.id)).file!;
    for (
      const deadline = Date.now() + 30_000;
      state.processingState === ProcessingState.PENDING && Date.now() < deadline;
    ) {
      await new Promise((r) => setTimeout(r, 200));
      state = (await getFile(b, file.id)).file!;
    }
    expect(state.processingState).toBe(ProcessingState.COMPLETED);

    // Someone else's file is as good as absent, on every method.
    // Each call starts when it is awaited: a rejection nobody awaits yet would fail the suite.
    for (const call of [
      () => getFile(theirs, file.id),
      () => deleteFile(theirs, file.id),
      () => download(theirs, file.id),
    ]) {
      const error = await failedCall(call());
      expect(error.code).toBe(status.NOT_FOUND);
      expect(statusDetailsOf(error)).toMatchObject({ domain: 'parley', reason: 'FILE_NOT_FOUND' });
    }
    expect((await getFile(a, file.id)).file!.id).toBe(file.id);
  });

  it('refuses a file over RAG_FILE_MAX_SIZE mid-stream with RESOURCE_EXHAUSTED, keeping nothing', async () => {
    const before = await restFileIds();
    // 6 MiB in 64 KiB messages, no size declared, and the stream never ended: the files service counts
    // the bytes as they arrive and answers once past the limit (2 MB). An answer at all shows the refusal
    // came mid-stream (how many messages the client had written by then depends on buffering, not on us).
    const big = Buffer.alloc(6 * MB, 'a');
    const chunk = 64 * 1024;
    const refused = await upload(a, { filename: 'big.txt' }, big, chunk, { end: false });
    expect(refused.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(statusDetailsOf(refused.error!)).toMatchObject({ reason: 'FILE_TOO_LARGE' });
    expect(refused.error!.details).toContain('RAG_FILE_MAX_SIZE');

    // A declared size over the limit is refused before any byte.
    const declared = await upload(b, { filename: 'big.txt', size: BigInt(big.length) }, big, chunk);
    expect(declared.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(statusDetailsOf(declared.error!).reason).toBe('FILE_TOO_LARGE');
    expect(await restFileIds()).toEqual(before);
  });

  it('refuses an extension outside RAG_ALLOWED_FILE_EXTENSIONS unless stored without processing', async () => {
    const bytes = Buffer.from('MZ not really a program');
    const refused = await upload(a, { filename: 'tool.exe' }, bytes);
    expect(refused.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(statusDetailsOf(refused.error!).reason).toBe('FILE_EXTENSION_NOT_ALLOWED');
    const kept = await upload(a, { filename: 'tool.exe', skipProcessing: true }, bytes);
    expect(kept.response?.file).toMatchObject({
      filename: 'tool.exe',
      processingState: ProcessingState.NOT_REQUESTED,
    });
  });

  it('answers invalid fields with google.rpc.BadRequest field violations, and bogus ids with NOT_FOUND', async () => {
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => getFile(a, ''), 'id'],
      [() => deleteFile(b, ''), 'id'],
      [() => download(a, 'x'.repeat(300)), 'id'],
    ];
    for (const [call, field] of cases) {
      const error = await failedCall(call());
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(statusDetailsOf(error)).toMatchObject({
        code: status.INVALID_ARGUMENT,
        domain: 'parley',
        reason: 'INVALID_INPUT',
        fieldViolations: [{ field, description: expect.any(String) }],
      });
    }
    const mismatch = await upload(a, { filename: 'short.txt', size: 100n }, Buffer.from('only a few bytes'));
    expect(mismatch.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(statusDetailsOf(mismatch.error!).fieldViolations).toEqual([
      { field: 'metadata.size', description: expect.stringContaining('16 arrived') },
    ]);
    const noMetadata = await a.clientStream(FileService, 'uploadFile', [
      { part: { case: 'chunk', value: Buffer.from('hello') } },
    ]);
    expect(statusDetailsOf(noMetadata.error!).fieldViolations.map((v) => v.field)).toEqual(['metadata']);
    // A NUL in the filename is refused by the server's input check, with the proto's field path.
    const nul = await upload(a, { filename: 'a\u0000.txt' }, Buffer.from('x'));
    expect(statusDetailsOf(nul.error!).fieldViolations).toEqual([
      { field: 'metadata.filename', description: expect.stringContaining('NUL') },
    ]);
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-file', '../../etc/passwd'])
      expect((await failedCall(getFile(b, id))).code).toBe(status.NOT_FOUND);
    const anonymous = await a.clientStream(
      FileService,
      'uploadFile',
      uploadMessages({ filename: 'a.txt' }, Buffer.from('x')),
      {
        credential: null,
      },
    );
    expect(anonymous.error?.code).toBe(status.UNAUTHENTICATED);
  });

  it('deletes over gRPC on one copy, and the file is gone on the other and through REST', async () => {
    const bytes = Buffer.from('to be deleted\n');
    const file = (await upload(b, { filename: 'gone.md' }, bytes)).response!.file!;
    expect(await restFileIds()).toContain(file.id);
    await deleteFile(a, file.id);
    expect((await failedCall(getFile(b, file.id))).code).toBe(status.NOT_FOUND);
    expect((await failedCall(download(a, file.id))).code).toBe(status.NOT_FOUND);
    const rest = await request(gatewayB, 'GET', `/api/v1/files/${file.id}`, { token: owner.token });
    expect(rest.status).toBe(404);
    expect((await failedCall(deleteFile(b, file.id))).code).toBe(status.NOT_FOUND);
  });
});
