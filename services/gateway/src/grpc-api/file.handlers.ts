import type { ServiceHandlers } from '@parley/grpc';
import type { apiV1Files } from '@parley/proto';
import type { DownstreamClients } from '../downstream/downstream-clients';
import { fileResource, internalUpload, type UploadLimits } from './file-resources';
import { namingField, requireText } from './request-checks';
import { userOf } from './user-of';

type FileMethods = typeof apiV1Files.FileService extends { method: infer M } ? M : never;

const ID_MAX = 200;

export interface FileHandlerOptions extends UploadLimits {
  /** FILES_TRANSFER_DEADLINE_MS: the deadline of one upload or download through the files service. */
  transferDeadlineMs: number;
}

/**
 * parley.api.v1.FileService over the files service's internal contract (the one REST /api/v1/files
 * uses), as the calling user: the files service owns the rules (owner or admin, limits, extensions).
 */
export function fileHandlers(
  downstream: DownstreamClients,
  { transferDeadlineMs, ...limits }: FileHandlerOptions,
): ServiceHandlers<FileMethods> {
  const files = downstream.files;
  return {
    async uploadFile(requests, call) {
      const reply = await files
        .uploadFile(internalUpload(requests, call.signal, limits), {
          caller: userOf(call),
          signal: call.signal,
          deadlineMs: transferDeadlineMs,
        })
        // The files service checks the extension against RAG_ALLOWED_FILE_EXTENSIONS: the filename's fault.
        .catch(namingField('metadata.filename', ['FILE_EXTENSION_NOT_ALLOWED']));
      return { file: fileResource(reply.file) };
    },

    async getFile(request, call) {
      const fileId = requireText('id', request.id, ID_MAX);
      const reply = await files.getFile({ fileId, includeContent: false }, { caller: userOf(call) });
      return { file: fileResource(reply.file) };
    },

    async downloadFile(request, stream, call) {
      const fileId = requireText('id', request.id, ID_MAX);
      const download = files.downloadFile(
        { fileId },
        { caller: userOf(call), signal: call.signal, deadlineMs: transferDeadlineMs },
      );
      // Each message waits for the caller to take the previous one, so a slow reader slows the read.
      for await (const { part } of download) {
        if (part.case === 'file')
          await stream.write({ part: { case: 'file', value: fileResource(part.value) } });
        else if (part.case === 'chunk') await stream.write({ part: { case: 'chunk', value: part.value } });
      }
    },

    async deleteFile(request, call) {
      const fileId = requireText('id', request.id, ID_MAX);
      await files.deleteFile({ fileId }, { caller: userOf(call) });
      return {};
    },
  };
}
