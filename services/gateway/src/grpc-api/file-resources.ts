import type { MessageInitShape } from '@bufbuild/protobuf';
import { DomainError, ErrorKind } from '@parley/errors';
import { apiV1Files, filesV1 } from '@parley/proto';
import { uploadChunks } from '../files/upload-chunks';
import { invalidArgument, limitText, requireText } from './request-checks';

type FileInit = MessageInitShape<typeof apiV1Files.FileSchema>;
type InternalUpload = MessageInitShape<typeof filesV1.UploadFileRequestSchema>;

const { ProcessingState } = apiV1Files;

const STATES: Record<filesV1.FileStatus, apiV1Files.ProcessingState> = {
  [filesV1.FileStatus.UNSPECIFIED]: ProcessingState.NOT_REQUESTED,
  [filesV1.FileStatus.PENDING]: ProcessingState.PENDING,
  [filesV1.FileStatus.COMPLETED]: ProcessingState.COMPLETED,
  [filesV1.FileStatus.FAILED]: ProcessingState.FAILED,
};

/** The files service's file as a public resource (without the owner id, the text or the client metadata). */
export function fileResource(file: filesV1.File | undefined): FileInit {
  return {
    name: `files/${file?.id ?? ''}`,
    id: file?.id ?? '',
    filename: file?.filename ?? '',
    contentType: file?.contentType ?? '',
    sizeBytes: file?.size ?? 0n,
    sha256: file?.hash ?? '',
    processingState: STATES[file?.status ?? filesV1.FileStatus.UNSPECIFIED] ?? ProcessingState.UNSPECIFIED,
    error: file?.error ?? '',
    createTime: file?.createdAt ?? 0n,
    updateTime: file?.updatedAt ?? 0n,
  };
}

export interface UploadLimits {
  /** RAG_FILE_MAX_SIZE in MB, when set: a declared size over it is refused before any byte. */
  maxSizeMb?: number;
}

/**
 * A public upload (metadata, then chunks, then the end of the stream) as the files service's upload
 * (metadata, chunks of at most 64 KiB, trailer), pulled one message at a time so the bytes stream
 * through. The files service applies RAG_FILE_MAX_SIZE, the allowed extensions and the quota while the
 * bytes flow, exactly as for REST; this only checks the public message order and the declared size.
 * Throwing here cancels the internal call, so the files service keeps nothing.
 */
export async function* internalUpload(
  requests: AsyncIterable<apiV1Files.UploadFileRequest>,
  signal: AbortSignal,
  { maxSizeMb }: UploadLimits,
): AsyncGenerator<InternalUpload> {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done || first.value.part.case !== 'metadata')
    throw invalidArgument('metadata', 'is required, in the first message of an upload');
  const metadata = first.value.part.value;
  const declared = metadata.size;
  if (declared !== undefined && declared < 0n) throw invalidArgument('metadata.size', 'must not be negative');
  if (declared !== undefined && maxSizeMb !== undefined && Number(declared) > maxSizeMb * 1024 * 1024)
    throw new DomainError(
      ErrorKind.PayloadTooLarge,
      `File size exceeds the limit of ${maxSizeMb} MB (RAG_FILE_MAX_SIZE).`,
      { code: 'FILE_TOO_LARGE' },
    );
  yield {
    part: {
      case: 'metadata',
      value: {
        filename: requireText('metadata.filename', metadata.filename, 1000),
        declaredContentType: limitText('metadata.content_type', metadata.contentType, 255),
        metadataJson: '',
        process: !metadata.skipProcessing,
      },
    },
  };
  let received = 0n;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    const { part } = next.value;
    if (part.case !== 'chunk')
      throw invalidArgument('metadata', 'may only be sent once, as the first message');
    received += BigInt(part.value.length);
    if (declared !== undefined && received > declared)
      throw invalidArgument('metadata.size', `is ${declared} bytes, but more arrived`);
    for (const value of uploadChunks(part.value)) yield { part: { case: 'chunk', value } };
  }
  if (declared !== undefined && received !== declared)
    throw invalidArgument('metadata.size', `is ${declared} bytes, but ${received} arrived`);
  // grpc-js may end the stream of a cancelled call like a finished one: a cancel seen by now keeps nothing.
  if (signal.aborted) throw new DomainError(ErrorKind.Unavailable, 'The upload was cancelled.');
  yield { part: { case: 'trailer', value: { metadataJson: '' } } };
}
