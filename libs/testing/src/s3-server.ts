import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface S3TestServer {
  /** S3_ENDPOINT_URL for the files service (path-style addressing). */
  endpoint: string;
  bucket: string;
  /** The env a files service needs to store in this server. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A real S3-protocol server (s3rver) on a free loopback port, storing in a fresh temp directory, with one
 * bucket. The AWS SDK talks to it as to any S3 API (path-style; s3rver accepts any key pair).
 */
export async function startS3Server({
  bucket = 'parley-files',
}: { bucket?: string } = {}): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'parley-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: {
      STORAGE_PROVIDER: 's3',
      S3_ENDPOINT_URL: endpoint,
      S3_BUCKET_NAME: bucket,
      S3_REGION_NAME: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_ADDRESSING_STYLE: 'path',
    },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
