import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { callerSigning, createGrpcClient, serviceCaller, ServiceClient, type UserCaller } from '@parley/grpc';
import { filesV1 } from '@parley/proto';
import { RETRIEVAL_CONFIG, RetrievalConfig } from '../retrieval.config';

type FilesMethods = typeof filesV1.FilesService extends { method: infer M } ? M : never;

export interface FileForIndexing {
  id: string;
  userId: string;
  filename: string;
  status: filesV1.FileStatus;
  error: string;
  content: string;
}

/**
 * The files service as retrieval sees it: a file's text read as the retrieval service (indexing acts
 * for nobody, the files service allows it), and a file looked up as a user (may that user put it in a
 * knowledge base? the files service's own rules decide).
 */
@Injectable()
export class FilesClient implements OnApplicationShutdown {
  private readonly files: ServiceClient<FilesMethods>;

  constructor(@Inject(RETRIEVAL_CONFIG) config: RetrievalConfig) {
    this.files = createGrpcClient(filesV1.FilesService, config.FILES_GRPC_URL, {
      deadlineMs: Math.max(config.GRPC_DEADLINE_MS, 30_000),
      peerName: 'files',
      signing: callerSigning(config, 'retrieval', 'files'),
    });
  }

  /** The file with its extracted text, as a service caller; NOT_FOUND when it is gone. */
  async forIndexing(fileId: string, signal?: AbortSignal): Promise<FileForIndexing> {
    const { file } = await this.files.getFile(
      { fileId, includeContent: true },
      { caller: serviceCaller('retrieval'), signal },
    );
    if (!file) throw new Error('the files service sent no file');
    return {
      id: file.id,
      userId: file.userId,
      filename: file.filename,
      status: file.status,
      error: file.error,
      content: file.content,
    };
  }

  /** The file as `user` may see it (NOT_FOUND when they may not). */
  async asUser(user: UserCaller, fileId: string): Promise<{ id: string; userId: string; filename: string }> {
    const { file } = await this.files.getFile({ fileId, includeContent: false }, { caller: user });
    if (!file) throw new Error('the files service sent no file');
    return { id: file.id, userId: file.userId, filename: file.filename };
  }

  onApplicationShutdown(): void {
    this.files.close();
  }
}
