import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { parseConfig } from '@parley/config';
import { createGrpcClient, type Caller, type UserCaller } from '@parley/grpc';
import { filesV1 } from '@parley/proto';
import {
  createTestDatabase,
  startInProcess,
  startS3Server,
  testCallerSigning,
  testInfrastructure,
  userCaller,
  TEST_CALLER_SECRET,
  type S3TestServer,
  type TestDatabase,
} from '@parley/testing';
import { FilesAppModule } from '../src/app.module';
import { filesConfigSchema } from '../src/files.config';

export type FilesClient = ReturnType<typeof createGrpcClient<(typeof filesV1.FilesService)['method']>>;

export const as = (userId: string, role: UserCaller['role'] = 'user'): { caller: Caller } => ({
  caller: userCaller(userId, { role }),
});

export interface FilesHarness {
  files: FilesClient;
  /** Signs its assertions for the chat service: every call must be refused (no valid assertion). */
  wrongAudience: FilesClient;
  db: TestDatabase;
  s3?: S3TestServer;
  uploadDir: string;
  /** The Nest application of the first copy, to reach its providers (the sweeper). */
  app: INestApplication;
  /** Another copy of the service on the same database, storage and work queue. */
  startCopy(): Promise<{ files: FilesClient; wrongAudience: FilesClient; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

/**
 * The files service in-process on a fresh database, with its own work queue, storing on local disk (a
 * temp dir) or in a real S3-protocol server.
 */
export async function startFilesService({
  provider = 'local',
  env = {},
}: { provider?: 'local' | 's3'; env?: Record<string, string> } = {}): Promise<FilesHarness> {
  const db = await createTestDatabase();
  const infra = await testInfrastructure();
  const uploadDir = await mkdtemp(join(tmpdir(), 'parley-files-'));
  const s3 = provider === 's3' ? await startS3Server() : undefined;
  const config = parseConfig(filesConfigSchema, {
    DATABASE_URL: db.url,
    NATS_URL: infra.natsUrl,
    CALLER_ASSERTION_SECRET: TEST_CALLER_SECRET,
    UPLOAD_DIR: uploadDir,
    FILES_WORK_QUEUE: `FILES_TEST_${randomBytes(4).toString('hex').toUpperCase()}`,
    FILES_EXTRACTION_RETRY_MS: '50',
    FILES_SWEEP_INTERVAL_MS: '0',
    LOG_LEVEL: 'silent',
    ...(s3?.env ?? {}),
    ...env,
  });
  const start = async () => {
    const service = await startInProcess('files', ({ logger, grpcHost }) =>
      FilesAppModule.register(config, logger, grpcHost),
    );
    const files = createGrpcClient(filesV1.FilesService, service.grpcTarget, {
      deadlineMs: 20_000,
      peerName: 'files',
      signing: testCallerSigning('files'),
    });
    const wrongAudience = createGrpcClient(filesV1.FilesService, service.grpcTarget, {
      deadlineMs: 20_000,
      peerName: 'files',
      signing: testCallerSigning('chat'),
    });
    return {
      files,
      wrongAudience,
      app: service.running.app,
      async stop() {
        wrongAudience.close();
        files.close();
        await service.stop();
      },
    };
  };
  const first = await start();
  return {
    files: first.files,
    wrongAudience: first.wrongAudience,
    app: first.app,
    db,
    s3,
    uploadDir,
    startCopy: start,
    async stop() {
      await first.stop();
      await s3?.stop();
      await db.drop();
      await rm(uploadDir, { recursive: true, force: true });
    },
  };
}

/** The upload messages for `bytes`: metadata first, then chunks of at most 64 KiB. */
export async function* uploadOf(
  bytes: Buffer,
  { filename = 'notes.txt', process = false, metadataJson = '', chunk = 64 * 1024 } = {},
): AsyncGenerator<{
  part:
    | { case: 'metadata'; value: object }
    | { case: 'chunk'; value: Uint8Array }
    | { case: 'trailer'; value: object };
}> {
  yield {
    part: { case: 'metadata', value: { filename, declaredContentType: 'text/plain', metadataJson, process } },
  };
  yield* chunksOf(bytes, chunk);
  yield { part: { case: 'trailer', value: {} } };
}

/** The chunk messages alone (no metadata, no trailer), for tests that build broken uploads. */
export function* chunksOf(bytes: Buffer, chunk = 64 * 1024) {
  for (let at = 0; at < bytes.length; at += chunk)
    yield { part: { case: 'chunk' as const, value: bytes.subarray(at, at + chunk) } };
}

export async function download(files: FilesClient, fileId: string, caller: { caller: Caller }) {
  const chunks: Buffer[] = [];
  let file: filesV1.File | undefined;
  for await (const message of files.downloadFile({ fileId }, caller)) {
    if (message.part.case === 'file') file = message.part.value;
    else if (message.part.case === 'chunk') chunks.push(Buffer.from(message.part.value));
  }
  return { file, bytes: Buffer.concat(chunks) };
}

/** Polls GetProcessStatus until it leaves PENDING (bounded; no fixed sleeps). */
export async function settledStatus(files: FilesClient, fileId: string, caller: { caller: Caller }) {
  for (let i = 0; i < 400; i++) {
    const status = await files.getProcessStatus({ fileId }, caller);
    if (status.status !== filesV1.FileStatus.PENDING) return status;
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`file ${fileId} is still pending`);
}
