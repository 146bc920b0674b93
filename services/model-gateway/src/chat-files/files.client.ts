import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { callerSigning, createGrpcClient, ServiceClient } from '@parley/grpc';
import { filesV1 } from '@parley/proto';
import { type ActingUser, userCallOptions } from '../authorization/acting-user';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';

type FilesMethods = typeof filesV1.FilesService extends { method: infer M } ? M : never;

/** What a chat needs to know about a file before it goes to the model. */
export interface ChatFileInfo {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

/**
 * The files service as a completion sees it: a file's type, its bytes (images) or its extracted text
 * (documents). Every call acts for the user of the completion (the request's caller or the task's
 * stored caller), so the files service's own rules (owner or admin) decide what may be read.
 */
@Injectable()
export class FilesClient implements OnApplicationShutdown {
  private readonly files: ServiceClient<FilesMethods>;

  constructor(@Inject(MODEL_GATEWAY_CONFIG) config: ModelGatewayConfig) {
    this.files = createGrpcClient(filesV1.FilesService, config.FILES_GRPC_URL, {
      deadlineMs: config.GRPC_DEADLINE_MS,
      peerName: 'files',
      signing: callerSigning(config, 'model-gateway', 'files'),
    });
  }

  async info(user: ActingUser, fileId: string): Promise<ChatFileInfo> {
    const { file } = await this.files.getFile({ fileId, includeContent: false }, userCallOptions(user));
    if (!file) throw new DomainError(ErrorKind.Internal, 'The files service sent no file information.');
    return { id: file.id, filename: file.filename, contentType: file.contentType, size: Number(file.size) };
  }

  async text(user: ActingUser, fileId: string): Promise<string> {
    return (await this.files.getFileContent({ fileId }, userCallOptions(user))).content;
  }

  /** The file's bytes; refused past `maxBytes` (checked against the stored size and while reading). */
  async bytes(user: ActingUser, fileId: string, maxBytes: number): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const message of this.files.downloadFile({ fileId }, userCallOptions(user))) {
      const part = message.part;
      if (part.case === 'file' && Number(part.value.size) > maxBytes)
        throw imageTooLarge(`"${part.value.filename}"`, maxBytes);
      if (part.case !== 'chunk') continue;
      total += part.value.length;
      if (total > maxBytes) throw imageTooLarge(`The image ${fileId}`, maxBytes);
      parts.push(part.value);
    }
    return Buffer.concat(parts);
  }

  onApplicationShutdown(): void {
    this.files.close();
  }
}

export const imageTooLarge = (what: string, maxBytes: number) =>
  new DomainError(
    ErrorKind.InvalidArgument,
    `${what} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB (MODEL_IMAGE_MAX_INPUT_MB), the most sent to a model.`,
    { code: 'IMAGE_TOO_LARGE' },
  );
