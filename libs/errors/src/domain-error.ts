import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * What went wrong, in terms every transport can express. Features throw a DomainError with one of these
 * kinds and a message written for the person who will read it; one mapping per transport turns the kind
 * into an HTTP status (with Open WebUI's `{ "detail": "..." }` body) or a gRPC status code.
 */
export enum ErrorKind {
  InvalidArgument = 'INVALID_ARGUMENT',
  Unauthenticated = 'UNAUTHENTICATED',
  PermissionDenied = 'PERMISSION_DENIED',
  NotFound = 'NOT_FOUND',
  AlreadyExists = 'ALREADY_EXISTS',
  FailedPrecondition = 'FAILED_PRECONDITION',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  RateLimited = 'RATE_LIMITED',
  Unavailable = 'UNAVAILABLE',
  DeadlineExceeded = 'DEADLINE_EXCEEDED',
  Internal = 'INTERNAL',
}

/** A stable, machine-readable error code: UPPER_SNAKE, e.g. `CHAT_NOT_FOUND`. */
const ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const ERROR_CODE_MAX = 64;

/** Whether a value can be used (or was received) as an error code; anything else falls back to the kind. */
export function isErrorCode(value: unknown): value is string {
  return typeof value === 'string' && value.length <= ERROR_CODE_MAX && ERROR_CODE_PATTERN.test(value);
}

/** One invalid field of a request: its path as the contract names it, and what is wrong with it. */
export interface FieldViolation {
  field: string;
  description: string;
}

export interface DomainErrorExtra {
  retryAfterSeconds?: number;
  /** For InvalidArgument: the fields at fault (gRPC sends them as google.rpc.BadRequest). */
  fieldViolations?: readonly FieldViolation[];
  /**
   * A stable code clients can branch on or translate (`CHAT_NOT_FOUND`, `QUOTA_EXCEEDED`...). When absent
   * (or not UPPER_SNAKE), the code is the kind's name, so every error has one.
   */
  code?: string;
}

export class DomainError extends Error {
  /** Stable and machine-readable; the message is for people and may change. */
  readonly code: string;

  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly extra: DomainErrorExtra = {},
  ) {
    super(message);
    this.name = 'DomainError';
    this.code = isErrorCode(extra.code) ? extra.code : kind;
  }
}

const HTTP_STATUS: Record<ErrorKind, number> = {
  [ErrorKind.InvalidArgument]: 400,
  [ErrorKind.Unauthenticated]: 401,
  [ErrorKind.PermissionDenied]: 403,
  [ErrorKind.NotFound]: 404,
  [ErrorKind.AlreadyExists]: 400, // Open WebUI answers 400 for "email already taken"
  [ErrorKind.FailedPrecondition]: 409,
  [ErrorKind.PayloadTooLarge]: 413,
  [ErrorKind.RateLimited]: 429,
  [ErrorKind.Unavailable]: 503,
  [ErrorKind.DeadlineExceeded]: 504,
  [ErrorKind.Internal]: 500,
};

const GRPC_STATUS: Record<ErrorKind, GrpcStatus> = {
  [ErrorKind.InvalidArgument]: GrpcStatus.INVALID_ARGUMENT,
  [ErrorKind.Unauthenticated]: GrpcStatus.UNAUTHENTICATED,
  [ErrorKind.PermissionDenied]: GrpcStatus.PERMISSION_DENIED,
  [ErrorKind.NotFound]: GrpcStatus.NOT_FOUND,
  [ErrorKind.AlreadyExists]: GrpcStatus.ALREADY_EXISTS,
  [ErrorKind.FailedPrecondition]: GrpcStatus.FAILED_PRECONDITION,
  [ErrorKind.PayloadTooLarge]: GrpcStatus.OUT_OF_RANGE,
  [ErrorKind.RateLimited]: GrpcStatus.RESOURCE_EXHAUSTED,
  [ErrorKind.Unavailable]: GrpcStatus.UNAVAILABLE,
  [ErrorKind.DeadlineExceeded]: GrpcStatus.DEADLINE_EXCEEDED,
  [ErrorKind.Internal]: GrpcStatus.INTERNAL,
};

export function httpStatusOf(kind: ErrorKind): number {
  return HTTP_STATUS[kind];
}

export function grpcStatusOf(kind: ErrorKind): GrpcStatus {
  return GRPC_STATUS[kind];
}

/** The reverse mapping, for a caller that receives a gRPC error and must pass it on. */
export function kindOfGrpcStatus(code: number): ErrorKind {
  switch (code) {
    case GrpcStatus.INVALID_ARGUMENT:
      return ErrorKind.InvalidArgument;
    case GrpcStatus.UNAUTHENTICATED:
      return ErrorKind.Unauthenticated;
    case GrpcStatus.PERMISSION_DENIED:
      return ErrorKind.PermissionDenied;
    case GrpcStatus.NOT_FOUND:
      return ErrorKind.NotFound;
    case GrpcStatus.ALREADY_EXISTS:
      return ErrorKind.AlreadyExists;
    case GrpcStatus.FAILED_PRECONDITION:
      return ErrorKind.FailedPrecondition;
    case GrpcStatus.OUT_OF_RANGE:
      return ErrorKind.PayloadTooLarge;
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return ErrorKind.RateLimited;
    case GrpcStatus.UNAVAILABLE:
      return ErrorKind.Unavailable;
    case GrpcStatus.DEADLINE_EXCEEDED:
      return ErrorKind.DeadlineExceeded;
    default:
      return ErrorKind.Internal;
  }
}
