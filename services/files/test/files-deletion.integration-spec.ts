import { randomUUID } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serviceCaller } from '@parley/testing';
import { OrphanSweeper } from '../src/sweeper/orphan-sweeper';
import { as, startFilesService, uploadOf, type FilesHarness } from './files-service-harness';

const HOUR_MS = 60 * 60 * 1000;

describe('deleting files', () => {
  let harness: FilesHarness;

  beforeAll(async () => {
    harness = await startFilesService();
  });
  afterAll(() => harness.stop());

  async function keysOf(userId: string): Promise<string[]> {
    return readdir(join(harness.uploadDir, userId)).catch(() => []);
  }

  it('DeleteUserFiles removes every file of that user and nobody else’s', async () => {
    const [gone, kept] = [randomUUID(), randomUUID()];
    for (const owner of [gone, gone, kept])
      await harness.files.uploadFile(uploadOf(Buffer.from(owner)), as(owner));
    const reply = await harness.files.deleteUserFiles({ userId: gone }, { caller: serviceCaller('auth') });
    expect(reply.deleted).toBe(2);
    expect(await keysOf(gone)).toEqual([]);
    expect(await keysOf(kept)).toHaveLength(1);
    expect((await harness.files.listFiles({}, as(kept))).files).toHaveLength(1);
  });

  it('the sweeper removes old objects without a row, and leaves young ones and real files', async () => {
    const owner = randomUUID();
    const real = (await harness.files.uploadFile(uploadOf(Buffer.from('real')), as(owner))).file!.id;
    const [orphan, young] = [randomUUID(), randomUUID()];
    await mkdir(join(harness.uploadDir, owner), { recursive: true });
    for (const id of [orphan, young]) await writeFile(join(harness.uploadDir, owner, id), 'left behind');
    const now = Date.now();
    // Ages are set on the objects and the sweep is given "now", so nothing depends on the wall clock.
    const old = new Date(now - 2 * HOUR_MS);
    await utimes(join(harness.uploadDir, owner, orphan), old, old);
    await utimes(join(harness.uploadDir, owner, real), old, old);
    const removed = await harness.app.get(OrphanSweeper).sweep(new Date(now));
    expect(removed).toBe(1);
    expect((await keysOf(owner)).sort()).toEqual([real, young].sort());
  });
});
