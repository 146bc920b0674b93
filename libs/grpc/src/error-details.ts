import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { anyPack, anyUnpack } from '@bufbuild/protobuf/wkt';
import { Metadata } from '@grpc/grpc-js';
import { isErrorCode, toSafeErrorText, type DomainError } from '@parley/errors';
import { googleRpc } from '@parley/proto';

/** The trailer of gRPC's rich error model: a serialised google.rpc.Status. */
export const STATUS_DETAILS_METADATA = 'grpc-status-details-bin';
/** ErrorInfo.domain of every error Parley sends. */
export const ERROR_DOMAIN = 'parley';
const MAX_VIOLATIONS = 20;

/**
 * The trailers of a domain error's status: google.rpc.Status with one google.rpc.ErrorInfo whose
 * `reason` is the stable code (`CHAT_NOT_FOUND`, ...), and a google.rpc.BadRequest when the error names
 * the fields at fault, what any gRPC client reads with its standard status-details support; plus
 * Retry-After when the error has one.
 */
export function statusDetailsOf(error: DomainError, grpcCode: number, message: string): Metadata {
  const metadata = new Metadata();
  const info = create(googleRpc.ErrorInfoSchema, {
    reason: error.code,
    domain: ERROR_DOMAIN,
    metadata:
      error.extra.retryAfterSeconds === undefined
        ? {}
        : { retry_after_seconds: String(error.extra.retryAfterSeconds) },
  });
  const details = [anyPack(googleRpc.ErrorInfoSchema, info)];
  const violations = error.extra.fieldViolations ?? [];
  if (violations.length)
    details.push(
      anyPack(
        googleRpc.BadRequestSchema,
        create(googleRpc.BadRequestSchema, {
          // Field paths and descriptions can echo client input: kept well-formed and bounded, like the message.
          fieldViolations: violations.slice(0, MAX_VIOLATIONS).map(({ field, description }) => ({
            field: toSafeErrorText(field, 500),
            description: toSafeErrorText(description, 1000),
          })),
        }),
      ),
    );
  const status = create(googleRpc.StatusSchema, { code: grpcCode, message, details });
  metadata.set(STATUS_DETAILS_METADATA, Buffer.from(toBinary(googleRpc.StatusSchema, status)));
  if (error.extra.retryAfterSeconds !== undefined)
    metadata.set('retry-after', String(error.extra.retryAfterSeconds));
  return metadata;
}

/** The stable code in a failed call's status details, if a Parley service (or anyone) put one there. */
export function errorCodeOf(metadata: Metadata | undefined): string | undefined {
  const raw = metadata?.get(STATUS_DETAILS_METADATA)[0];
  if (!raw || typeof raw === 'string') return undefined;
  try {
    const status = fromBinary(googleRpc.StatusSchema, raw);
    for (const detail of status.details) {
      const info = anyUnpack(detail, googleRpc.ErrorInfoSchema);
      if (info && isErrorCode(info.reason)) return info.reason;
    }
  } catch {
    // Details that do not decode are ignored: the status code still says what kind of failure it was.
  }
  return undefined;
}

/** The field violations (google.rpc.BadRequest) in a failed call's status details, for clients and tests. */
export function fieldViolationsOf(
  metadata: Metadata | undefined,
): Array<{ field: string; description: string }> {
  const raw = metadata?.get(STATUS_DETAILS_METADATA)[0];
  if (!raw || typeof raw === 'string') return [];
  try {
    const status = fromBinary(googleRpc.StatusSchema, raw);
    return status.details.flatMap((detail) =>
      (anyUnpack(detail, googleRpc.BadRequestSchema)?.fieldViolations ?? []).map(
        ({ field, description }) => ({
          field,
          description,
        }),
      ),
    );
  } catch {
    return [];
  }
}
