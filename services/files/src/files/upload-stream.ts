import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DomainError, ErrorKind } from '@parley/errors';
import { SNIFF_BYTES } from './content-type';

export const MAX_CHUNK_BYTES = 64 * 1024;

/** What an upload stream measured on the way through. */
export interface UploadMeasure {
  size: number;
  sha256(): string;
  head(): Uint8Array;
}

/**
 * The upload's chunks as a Readable for the storage provider, pulled one at a time (back-pressure reaches
 * the gRPC stream and so the client). SHA-256, size and the first bytes (for sniffing) are taken on the
 * way; a chunk over 64 KiB or a total over `maxBytes` errors the stream, so the provider discards it.
 */
export function measuredUpload(
  chunks: AsyncIterator<Uint8Array>,
  { maxBytes, tooLarge }: { maxBytes?: number; tooLarge: () => DomainError },
): { body: Readable; measure: UploadMeasure } {
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headBytes = 0;
  const measure = {
    size: 0,
    sha256: () => hash.digest('hex'),
    head: () => Buffer.concat(head),
  };
  const body = new Readable({
    highWaterMark: 4 * MAX_CHUNK_BYTES,
    read() {
      chunks.next().then(
        ({ value, done }) => {
          if (done) return void this.push(null);
          if (value.length > MAX_CHUNK_BYTES)
            return void this.destroy(
              new DomainError(
                ErrorKind.InvalidArgument,
                `Upload chunks are at most ${MAX_CHUNK_BYTES} bytes.`,
              ),
            );
          measure.size += value.length;
          if (maxBytes !== undefined && measure.size > maxBytes) return void this.destroy(tooLarge());
          hash.update(value);
          if (headBytes < SNIFF_BYTES) {
            head.push(Buffer.from(value.subarray(0, SNIFF_BYTES - headBytes)));
            headBytes += Math.min(value.length, SNIFF_BYTES - headBytes);
          }
          this.push(value);
        },
        (error: unknown) => this.destroy(error as Error),
      );
    },
  });
  return { body, measure };
}
