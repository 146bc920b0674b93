import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  lastModified: Date;
}

/**
 * Where the bytes live. Every method streams: no provider holds a whole file in memory. Keys are
 * `<prefix><user id>/<file id>` and never contain a user-given name.
 */
export interface StorageProvider {
  readonly name: 'local' | 's3';
  /** Stores the stream under key; on failure or abort nothing is left under key. */
  put(key: string, body: Readable, signal: AbortSignal): Promise<void>;
  get(key: string): Promise<Readable>;
  /** Removing a key that is not there is not an error. */
  delete(key: string): Promise<void>;
  /** Every stored object, in pages (for the sweeper). */
  list(): AsyncIterable<StoredObject[]>;
  /** The key of a file's object. */
  keyOf(userId: string, fileId: string): string;
}

export const STORAGE_PROVIDER = Symbol('STORAGE_PROVIDER');
