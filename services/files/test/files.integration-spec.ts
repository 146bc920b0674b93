import { createHash, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DomainError } from '@parley/errors';
import { filesV1 } from '@parley/proto';
import { docxWithParagraphs, pdfWithPages } from '@parley/testing';
import {
  as,
  chunksOf,
  download,
  settledStatus,
  startFilesService,
  uploadOf,
  type FilesHarness,
} from './files-service-harness';

const alice = randomUUID();

/**
 * The stored objects once no upload is in flight any more: no `.partial` left (or, with `count`, that many
 * objects); bounded by the client deadline plus a margin.
 */
async function settledObjects(harness: FilesHarness, count?: number): Promise<string[]> {
  const deadline = Date.now() + 25_000;
  for (;;) {
    const objects = await storedObjects(harness);
    const settled =
      count === undefined ? !objects.some((key) => key.endsWith('.partial')) : objects.length === count;
    if (settled || Date.now() > deadline) return objects;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function storedObjects(harness: FilesHarness): Promise<string[]> {
  if (harness.s3) {
    const s3 = new S3Client({
      endpoint: harness.s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const page = await s3.send(new ListObjectsV2Command({ Bucket: harness.s3.bucket }));
    s3.destroy();
    return (page.Contents ?? []).map((item) => item.Key!);
  }
  const users = await readdir(harness.uploadDir).catch(() => [] as string[]);
  const keys: string[] = [];
  for (const user of users)
    for (const name of await readdir(`${harness.uploadDir}/${user}`)) keys.push(`${user}/${name}`);
  return keys;
}

async function failureOf(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('the call succeeded');
}

describe.each(['local', 's3'] as const)('files on %s storage', (provider) => {
  let harness: FilesHarness;

  beforeAll(async () => {
    harness = await startFilesService({ provider, env: { RAG_FILE_MAX_SIZE: '1' } });
  });
  afterAll(() => harness.stop());

  it('streams a multi-chunk upload in and out with its SHA-256 and size', async () => {
    const bytes = Buffer.alloc(300 * 1024, 'abcdefghij');
    const { file } = await harness.files.uploadFile(uploadOf(bytes, { filename: '../x/big.txt' }), as(alice));
    expect(file).toMatchObject({
      userId: alice,
      filename: 'big.txt',
      size: BigInt(bytes.length),
      contentType: 'text/plain',
    });
    expect(file!.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    const back = await download(harness.files, file!.id, as(alice));
    expect(back.bytes.equals(bytes)).toBe(true);
    expect(await storedObjects(harness)).toContain(`${alice}/${file!.id}`);
  });

  it('refuses a file over RAG_FILE_MAX_SIZE and keeps nothing of it', async () => {
    const before = await storedObjects(harness);
    const error = await failureOf(
      harness.files.uploadFile(uploadOf(Buffer.alloc(1024 * 1024 + 1)), as(alice)),
    );
    expect(error).toMatchObject({ kind: 'PAYLOAD_TOO_LARGE', code: 'FILE_TOO_LARGE' });
    expect(error.message).toContain('1 MB');
    expect(await storedObjects(harness)).toEqual(before);
  });

  it('refuses an empty file and keeps nothing', async () => {
    const before = await storedObjects(harness);
    const error = await failureOf(harness.files.uploadFile(uploadOf(Buffer.alloc(0)), as(alice)));
    expect(error).toMatchObject({ kind: 'INVALID_ARGUMENT', code: 'FILE_EMPTY' });
    expect(await storedObjects(harness)).toEqual(before);
  });

  it('leaves no object and no row when the client breaks off mid-upload', async () => {
    const before = await storedObjects(harness);
    const listed = (await harness.files.listFiles({}, as(alice))).files.length;
    async function* broken() {
      yield { part: { case: 'metadata' as const, value: { filename: 'cut.txt' } } };
      yield* chunksOf(Buffer.alloc(200 * 1024, 'y'));
      throw new Error('the browser went away');
    }
    await expect(harness.files.uploadFile(broken(), as(alice))).rejects.toThrow('the browser went away');
    // The server learns of the cancel asynchronously, and sometimes only when the call's deadline (20 s
    // here) ends it: wait, bounded, until it has cleaned up.
    expect(await settledObjects(harness, before.length)).toEqual(before);
    expect((await harness.files.listFiles({}, as(alice))).files).toHaveLength(listed);
  });

  it('keeps nothing of an upload that ends without its trailer', async () => {
    const before = await settledObjects(harness);
    async function* unfinished() {
      yield { part: { case: 'metadata' as const, value: { filename: 'half.txt' } } };
      yield* chunksOf(Buffer.alloc(100 * 1024, 'h'));
    }
    expect(await failureOf(harness.files.uploadFile(unfinished(), as(alice)))).toMatchObject({
      code: 'UPLOAD_INCOMPLETE',
    });
    expect(await storedObjects(harness)).toEqual(before);
  });

  it('extracts PDF text per page and DOCX text, durably', async () => {
    const pdf = await harness.files.uploadFile(
      uploadOf(await pdfWithPages(['First page', 'Second page']), { filename: 'r.pdf', process: true }),
      as(alice),
    );
    expect(pdf.file!.status).toBe(filesV1.FileStatus.PENDING);
    expect(await settledStatus(harness.files, pdf.file!.id, as(alice))).toMatchObject({
      status: filesV1.FileStatus.COMPLETED,
    });
    expect((await harness.files.getFileContent({ fileId: pdf.file!.id }, as(alice))).content).toBe(
      '--- page 1 ---\nFirst page\n\n--- page 2 ---\nSecond page',
    );
    const docx = await harness.files.uploadFile(
      uploadOf(await docxWithParagraphs(['Hello docx']), { filename: 'n.docx', process: true }),
      as(alice),
    );
    await settledStatus(harness.files, docx.file!.id, as(alice));
    expect((await harness.files.getFileContent({ fileId: docx.file!.id }, as(alice))).content).toBe(
      'Hello docx',
    );
  });

  it('ends a file that cannot be parsed as failed with the reason, after its retries', async () => {
    const broken = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 'z')]);
    const { file } = await harness.files.uploadFile(
      uploadOf(broken, { filename: 'bad.pdf', process: true }),
      as(alice),
    );
    const status = await settledStatus(harness.files, file!.id, as(alice));
    expect(status.status).toBe(filesV1.FileStatus.FAILED);
    expect(status.error).toMatch(/could not be extracted/);
  });

  it('deletes bytes and row', async () => {
    const { file } = await harness.files.uploadFile(uploadOf(Buffer.from('bye')), as(alice));
    await harness.files.deleteFile({ fileId: file!.id }, as(alice));
    expect(await storedObjects(harness)).not.toContain(`${alice}/${file!.id}`);
    expect(await failureOf(harness.files.getFile({ fileId: file!.id }, as(alice)))).toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
  });
});
