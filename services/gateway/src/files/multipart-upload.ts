import type { Readable } from 'node:stream';
import type { MessageInitShape } from '@bufbuild/protobuf';
import busboy from 'busboy';
import type { Request } from 'express';
import { DomainError, ErrorKind } from '@parley/errors';
import type { filesV1 } from '@parley/proto';
import { metadataField } from './files.contract';
import { uploadChunks } from './upload-chunks';

type UploadMessage = MessageInitShape<typeof filesV1.UploadFileRequestSchema>;

const invalid = (detail: string, code: string) =>
  new DomainError(ErrorKind.InvalidArgument, detail, { code });

/**
 * Open WebUI's multipart upload (field `file`, optional `metadata`) as the files service's upload
 * messages, streamed: busboy reads the request only as fast as the gRPC stream takes the chunks, so the
 * gateway never holds the file. The trailer ends it (with a `metadata` field that came after the file). A form that
 * ends early (a truncated body, a client that left) throws UPLOAD_TRUNCATED, which cancels the call, so
 * the files service keeps nothing.
 */
export async function* multipartUpload(req: Request, process: boolean): AsyncGenerator<UploadMessage> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { files: 1, fields: 20, parts: 25, fieldSize: 64 * 1024 },
    });
  } catch {
    throw invalid(
      'The upload must be a multipart/form-data request with a "file" field.',
      'MULTIPART_REQUIRED',
    );
  }
  let metadata: string | undefined;
  let failure: DomainError | undefined;
  let closed = false;
  let file: { stream: Readable; filename: string; mimeType: string } | undefined;
  let wake: () => void = () => undefined;
  const changed = () => new Promise<void>((resolve) => (wake = resolve));

  parser.on('field', (name, value) => {
    if (name === 'metadata') metadata = value;
  });
  parser.on('file', (name, stream, info) => {
    if (name !== 'file' || file) return void stream.resume();
    // The reader below sees a failure through its iterator; this keeps an early one from being unhandled.
    stream.on('error', () => undefined);
    file = { stream, filename: info.filename ?? '', mimeType: info.mimeType };
    wake();
  });
  const fail = () => {
    if (failure || closed) return;
    failure = invalid('The upload ended before the form was complete.', 'UPLOAD_TRUNCATED');
    file?.stream.destroy(failure);
    wake();
  };
  parser.on('error', fail);
  parser.on('close', () => {
    closed = true;
    wake();
  });
  // A client that goes away mid-body: busboy alone would wait for the rest for ever.
  req.on('close', () => {
    if (!req.complete) fail();
  });
  req.pipe(parser);

  try {
    while (!file && !closed && !failure) await changed();
    if (failure) throw failure;
    if (!file) throw invalid('file is required (a multipart field named "file").', 'FILE_REQUIRED');
    const early = metadata === undefined ? undefined : metadataOf(metadata);
    yield {
      part: {
        case: 'metadata',
        value: {
          filename: file.filename,
          declaredContentType: file.mimeType,
          metadataJson: early ?? '',
          process,
        },
      },
    };
    for await (const chunk of file.stream as AsyncIterable<Buffer>) {
      for (const value of uploadChunks(chunk)) yield { part: { case: 'chunk', value } };
    }
    // The file ended; the form may still carry fields (Open WebUI puts `metadata` after `file`).
    while (!closed && !failure) await changed();
    if (failure) throw failure;
    // The trailer commits the upload; a late `metadata` field travels in it.
    const late = metadata !== undefined && early === undefined ? metadataOf(metadata) : '';
    yield { part: { case: 'trailer', value: { metadataJson: late } } };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw failure ?? invalid('The upload ended before the form was complete.', 'UPLOAD_TRUNCATED');
  } finally {
    req.unpipe(parser);
    file?.stream.resume();
  }
}

function metadataOf(text: string): string {
  const result = metadataField.safeParse(text);
  if (!result.success) throw invalid(`metadata ${result.error.issues[0]!.message}.`, 'INVALID_METADATA');
  return result.data;
}
