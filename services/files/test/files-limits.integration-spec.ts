import { randomUUID } from 'node:crypto';
import { as, chunksOf, startFilesService, uploadOf, type FilesHarness } from './files-service-harness';

describe('files quota, metadata and paging', () => {
  let harness: FilesHarness;

  beforeAll(async () => {
    // 0.01 MB = 10485 bytes per user.
    harness = await startFilesService({ env: { FILES_USER_QUOTA_MB: '0.01', FILES_PAGE_SIZE: '2' } });
  });
  afterAll(() => harness.stop());

  it('refuses an upload once the user’s quota is full, and frees it on delete', async () => {
    const user = randomUUID();
    const first = await harness.files.uploadFile(uploadOf(Buffer.alloc(8_000, 'a')), as(user));
    await expect(
      harness.files.uploadFile(uploadOf(Buffer.alloc(8_000, 'b')), as(user)),
    ).rejects.toMatchObject({
      kind: 'PAYLOAD_TOO_LARGE',
      code: 'QUOTA_EXCEEDED',
    });
    // Another user has their own quota.
    await harness.files.uploadFile(uploadOf(Buffer.alloc(8_000, 'c')), as(randomUUID()));
    await harness.files.deleteFile({ fileId: first.file!.id }, as(user));
    await harness.files.uploadFile(uploadOf(Buffer.alloc(8_000, 'd')), as(user));
  });

  it('takes the metadata from a trailer when the form sent it after the file', async () => {
    const user = randomUUID();
    async function* messages() {
      yield {
        part: { case: 'metadata' as const, value: { filename: 'm.txt', metadataJson: '{"early":1}' } },
      };
      yield* chunksOf(Buffer.from('x'));
      yield { part: { case: 'trailer' as const, value: { metadataJson: '{"chat_id":"c9"}' } } };
    }
    const { file } = await harness.files.uploadFile(messages(), as(user));
    expect(JSON.parse(file!.metadataJson)).toEqual({ chat_id: 'c9' });
    async function* notAnObject() {
      yield { part: { case: 'metadata' as const, value: { filename: 'm.txt' } } };
      yield* chunksOf(Buffer.from('x'));
      yield { part: { case: 'trailer' as const, value: { metadataJson: '[1]' } } };
    }
    await expect(harness.files.uploadFile(notAnObject(), as(user))).rejects.toMatchObject({
      code: 'INVALID_METADATA',
    });
  });

  it('pages through a user’s files newest first with page tokens', async () => {
    const user = randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await harness.files.uploadFile(uploadOf(Buffer.from(`f${i}`)), as(user))).file!.id);
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await harness.files.listFiles({ pageToken }, as(user));
      expect(page.files.length).toBeLessThanOrEqual(2);
      seen.push(...page.files.map((file) => file.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    // Every file once (uploads in the same millisecond tie on time and are ordered by id).
    expect(seen).toHaveLength(ids.length);
    expect([...seen].sort()).toEqual([...ids].sort());
    await expect(harness.files.listFiles({ pageToken: 'garbage' }, as(user))).rejects.toMatchObject({
      code: 'INVALID_PAGE_TOKEN',
    });
  });
});
