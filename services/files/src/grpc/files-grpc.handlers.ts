import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { GrpcServerHost } from '@parley/grpc';
import { filesV1 } from '@parley/proto';
import { actingAdmin, actingService, actingUser, readableBy } from '../files/file-access';
import type { FileRow } from '../files/files.repository';
import { FilesService } from '../files/files.service';

const seconds = (date: Date) => BigInt(Math.floor(date.getTime() / 1000));

const STATUS: Record<string, filesV1.FileStatus> = {
  pending: filesV1.FileStatus.PENDING,
  completed: filesV1.FileStatus.COMPLETED,
  failed: filesV1.FileStatus.FAILED,
};

function toFile(row: FileRow, { content = false }: { content?: boolean } = {}) {
  return {
    id: row.id,
    userId: row.userId,
    filename: row.filename,
    hash: row.sha256,
    contentType: row.contentType,
    size: row.sizeBytes,
    status: STATUS[row.status ?? ''] ?? filesV1.FileStatus.UNSPECIFIED,
    error: row.error ?? '',
    content: content ? (row.content ?? '') : '',
    metadataJson: JSON.stringify(row.meta ?? {}),
    createdAt: seconds(row.createdAt),
    updatedAt: seconds(row.updatedAt),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The FilesService gRPC contract, mapped onto the use cases (who may call what: the proto's comments). */
@Injectable()
export class FilesGrpcHandlers implements OnModuleInit {
  constructor(
    @Inject(GrpcServerHost) private readonly host: GrpcServerHost,
    @Inject(FilesService) private readonly files: FilesService,
  ) {}

  onModuleInit(): void {
    const { files } = this;
    this.host.addService(filesV1.FilesService, {
      uploadFile: async (requests, call) => ({
        file: toFile(await files.upload(actingUser(call), requests, call.signal)),
      }),
      downloadFile: async (r, stream, call) => {
        const { row, body } = await files.open(call.caller, r.fileId);
        try {
          await stream.write({ part: { case: 'file', value: toFile(row) } });
          for await (const chunk of body) {
            if (call.signal.aborted) break;
            await stream.write({ part: { case: 'chunk', value: chunk as Buffer } });
          }
        } finally {
          body.destroy();
        }
      },
      getFile: async (r, call) => ({
        file: toFile(await files.get(call.caller, r.fileId), { content: r.includeContent }),
      }),
      listFiles: async (r, call) => {
        const page = await files.list(actingUser(call), r.pageSize, r.pageToken);
        return {
          files: page.rows.map((row) => toFile(row, { content: r.includeContent })),
          nextPageToken: page.nextPageToken,
        };
      },
      getFileContent: async (r, call) => ({
        content: (await files.get(call.caller, r.fileId)).content ?? '',
      }),
      updateFileContent: async (r, call) => ({
        file: toFile(await files.updateContent(call.caller, r.fileId, r.content), { content: true }),
      }),
      getProcessStatus: async (r, call) => {
        const row = readableBy(call.caller, await files.get(call.caller, r.fileId));
        return { status: toFile(row).status, error: row.error ?? '' };
      },
      deleteFile: async (r, call) => {
        await files.delete(call.caller, r.fileId);
        return {};
      },
      deleteAllFiles: async (_r, call) => {
        actingAdmin(call);
        return { deleted: await files.deleteWhere({}) };
      },
      deleteUserFiles: async (r, call) => {
        actingService(call);
        if (!UUID.test(r.userId))
          throw new DomainError(ErrorKind.InvalidArgument, 'user_id must be a user id.', {
            code: 'INVALID_USER_ID',
          });
        return { deleted: await files.deleteWhere({ userId: r.userId.toLowerCase() }) };
      },
    });
  }
}
