import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError, ErrorKind } from '@parley/errors';
import type { StoredObject, StorageProvider } from './storage-provider';

/**
 * Files under UPLOAD_DIR, one directory per user. A file is written to `<key>.partial` and renamed when
 * complete, so a reader never sees half a file and an interrupted write leaves only a partial (removed
 * at once, or by the sweeper after a crash).
 */
export class LocalStorageProvider implements StorageProvider {
  readonly name = 'local' as const;
  private readonly root: string;

  constructor(uploadDir: string) {
    this.root = resolve(uploadDir);
  }

  keyOf(userId: string, fileId: string): string {
    return `${userId}/${fileId}`;
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    // Keys are built from ids, never names; this only stops a corrupted row from reaching outside the root.
    if (!path.startsWith(this.root + sep)) throw new Error(`storage key outside UPLOAD_DIR: ${key}`);
    return path;
  }

  async put(key: string, body: Readable, signal: AbortSignal): Promise<void> {
    const path = this.pathOf(key);
    const partial = `${path}.partial`;
    await mkdir(join(path, '..'), { recursive: true });
    // Opened before anything can fail: a write stream that opens its file itself still creates it after
    // an early abort (the open is already under way), which would leave the partial behind.
    const file = await open(partial, 'w');
    try {
      await pipeline(body, file.createWriteStream(), { signal });
      await rename(partial, path);
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(partial, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      await stat(path);
    } catch {
      throw new DomainError(ErrorKind.NotFound, 'The file’s bytes are missing from storage.', {
        code: 'FILE_BYTES_MISSING',
      });
    }
    return createReadStream(path, { highWaterMark: 64 * 1024 });
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    await rm(`${path}.partial`, { force: true });
  }

  async *list(): AsyncIterable<StoredObject[]> {
    let users: string[];
    try {
      users = await readdir(this.root);
    } catch {
      return;
    }
    for (const user of users) {
      const dir = join(this.root, user);
      const names = await readdir(dir).catch(() => [] as string[]);
      const page: StoredObject[] = [];
      for (const name of names) {
        const info = await stat(join(dir, name)).catch(() => undefined);
        if (!info?.isFile()) continue;
        page.push({ key: `${user}/${name.replace(/\.partial$/, '')}`, lastModified: info.mtime });
      }
      if (page.length) yield page;
    }
  }
}
