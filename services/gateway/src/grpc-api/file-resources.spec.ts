import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { DomainError, ErrorKind } from '@parley/errors';
import { apiV1Files, filesV1 } from '@parley/proto';
import { fileResource, internalUpload } from './file-resources';

type PublicUpload = MessageInitShape<typeof apiV1Files.UploadFileRequestSchema>;

const metadata = (value: MessageInitShape<typeof apiV1Files.UploadMetadataSchema>): PublicUpload => ({
  part: { case: 'metadata', value },
});
const chunk = (size: number, fill = 1): PublicUpload => ({
  part: { case: 'chunk', value: new Uint8Array(size).fill(fill) },
});

async function* messages(list: PublicUpload[]) {
  for (const m of list) yield create(apiV1Files.UploadFileRequestSchema, m);
}

async function run(list: PublicUpload[], { signal = new AbortController().signal, maxSizeMb = 1 } = {}) {
  const out: Array<filesV1.UploadFileRequest['part']> = [];
  for await (const m of internalUpload(messages(list), signal, { maxSizeMb }))
    out.push(create(filesV1.UploadFileRequestSchema, m).part);
  return out;
}

async function refusal(list: PublicUpload[], options?: Parameters<typeof run>[1]) {
  try {
    await run(list, options);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('the upload went through');
}

describe('internalUpload (a public upload as the files service takes it)', () => {
  it('passes metadata, splits chunks to 64 KiB, and commits with a trailer at the end', async () => {
    const parts = await run([
      metadata({ filename: 'notes.txt', contentType: 'text/plain', size: 200_000n }),
      chunk(150_000),
      chunk(50_000, 2),
    ]);
    expect(parts[0]).toEqual({
      case: 'metadata',
      value: expect.objectContaining({
        filename: 'notes.txt',
        declaredContentType: 'text/plain',
        process: true,
      }),
    });
    const sizes = parts.slice(1, -1).map((p) => (p.case === 'chunk' ? p.value.length : -1));
    expect(sizes).toEqual([65_536, 65_536, 18_928, 50_000]);
    expect(parts.at(-1)?.case).toBe('trailer');
  });

  it('asks for no extraction with skip_processing, and takes an upload without a declared size', async () => {
    const parts = await run([metadata({ filename: 'a.png', skipProcessing: true }), chunk(10)]);
    expect(parts[0]).toMatchObject({ case: 'metadata', value: { process: false } });
    expect(parts.map((p) => p.case)).toEqual(['metadata', 'chunk', 'trailer']);
  });

  it('refuses a wrong order, a missing filename and a size that does not match, naming the field', async () => {
    const cases: Array<[PublicUpload[], string]> = [
      [[chunk(3)], 'metadata'],
      [[], 'metadata'],
      [[metadata({ filename: '' }), chunk(3)], 'metadata.filename'],
      [[metadata({ filename: 'a.txt' }), chunk(3), metadata({ filename: 'b.txt' })], 'metadata'],
      [[metadata({ filename: 'a.txt', size: 5n }), chunk(3)], 'metadata.size'],
      [[metadata({ filename: 'a.txt', size: 2n }), chunk(3)], 'metadata.size'],
      [[metadata({ filename: 'a.txt', size: -1n })], 'metadata.size'],
    ];
    for (const [list, field] of cases) {
      const error = await refusal(list);
      expect(error.kind).toBe(ErrorKind.InvalidArgument);
      expect(error.extra.fieldViolations).toEqual([{ field, description: expect.any(String) }]);
    }
  });

  it('refuses a declared size over RAG_FILE_MAX_SIZE before any byte', async () => {
    const error = await refusal([metadata({ filename: 'big.bin', size: 2n * 1024n * 1024n }), chunk(1)]);
    expect(error).toMatchObject({ kind: ErrorKind.PayloadTooLarge, code: 'FILE_TOO_LARGE' });
  });

  it('keeps nothing when the call was cancelled, even if the stream ended like a finished one', async () => {
    const cancelled = new AbortController();
    cancelled.abort();
    const parts: string[] = [];
    await expect(
      (async () => {
        for await (const m of internalUpload(
          messages([metadata({ filename: 'a.txt' }), chunk(3)]),
          cancelled.signal,
          {},
        ))
          parts.push(m.part?.case ?? '');
      })(),
    ).rejects.toMatchObject({ kind: ErrorKind.Unavailable });
    expect(parts).not.toContain('trailer');
  });
});

describe('fileResource', () => {
  it('gives the resource name and the processing state, without the owner or the text', () => {
    const file = fileResource(
      create(filesV1.FileSchema, {
        id: 'f1',
        userId: 'u1',
        filename: 'a.txt',
        hash: 'ab',
        contentType: 'text/plain',
        size: 3n,
        status: filesV1.FileStatus.FAILED,
        error: 'bad',
        content: 'secret text',
        createdAt: 5n,
        updatedAt: 6n,
      }),
    );
    expect(file).toEqual({
      name: 'files/f1',
      id: 'f1',
      filename: 'a.txt',
      contentType: 'text/plain',
      sizeBytes: 3n,
      sha256: 'ab',
      processingState: apiV1Files.ProcessingState.FAILED,
      error: 'bad',
      createTime: 5n,
      updateTime: 6n,
    });
    expect(fileResource(create(filesV1.FileSchema, {})).processingState).toBe(
      apiV1Files.ProcessingState.NOT_REQUESTED,
    );
  });
});
