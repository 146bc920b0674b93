import { fromBinary } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { ErrorInfoSchema } from './gen/google/rpc/error_details_pb';
import { StatusSchema } from './gen/google/rpc/status_pb';

/**
 * A failed call: the gRPC status (`code`, and its name in `codeName`), the server's message, and the
 * stable reason of its `google.rpc.ErrorInfo` (`CHAT_NOT_FOUND`, `INVALID_INPUT`, ...) when it sent one.
 * Branch on `code` or `reason`, never on the message.
 */
export class ParleyApiError extends Error {
  readonly codeName: string;

  constructor(
    readonly code: status,
    readonly details: string,
    readonly reason: string | undefined,
    readonly metadata: Metadata,
    /** `retry-after` in seconds, when the server said when to try again (a rate limit). */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${status[code] ?? code}: ${details}`);
    this.name = 'ParleyApiError';
    this.codeName = status[code] ?? String(code);
  }

  static of(error: unknown): ParleyApiError {
    if (error instanceof ParleyApiError) return error;
    const e = error as Partial<ServiceError>;
    const metadata = e.metadata ?? new Metadata();
    const retryAfter = Number(metadata.get('retry-after')[0]);
    return new ParleyApiError(
      e.code ?? status.UNKNOWN,
      e.details ?? (error instanceof Error ? error.message : String(error)),
      reasonOf(metadata),
      metadata,
      Number.isFinite(retryAfter) ? retryAfter : undefined,
    );
  }
}

/** The reason of the first google.rpc.ErrorInfo in a status's details trailer. */
function reasonOf(metadata: Metadata): string | undefined {
  const raw = metadata.get('grpc-status-details-bin')[0];
  if (!raw || typeof raw === 'string') return undefined;
  try {
    for (const detail of fromBinary(StatusSchema, raw).details) {
      const info = anyUnpack(detail, ErrorInfoSchema);
      if (info) return info.reason;
    }
  } catch {
    // details that do not decode leave the status code to speak for itself
  }
  return undefined;
}
