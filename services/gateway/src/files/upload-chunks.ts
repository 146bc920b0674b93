/** The files service takes upload chunks of at most 64 KiB (docs/files.md). */
export const FILES_CHUNK_BYTES = 64 * 1024;

/** A client's chunk (a form part, a public API message) as chunks the files service takes. */
export function* uploadChunks(chunk: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < chunk.length; at += FILES_CHUNK_BYTES)
    yield chunk.subarray(at, at + FILES_CHUNK_BYTES);
}
