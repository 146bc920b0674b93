import { status } from '@grpc/grpc-js';
import {
  DomainError,
  ErrorKind,
  grpcStatusOf,
  httpStatusOf,
  isErrorCode,
  kindOfGrpcStatus,
} from './domain-error';

describe('error kind mappings', () => {
  it('round-trips every kind through its gRPC status', () => {
    for (const kind of Object.values(ErrorKind)) {
      expect(kindOfGrpcStatus(grpcStatusOf(kind))).toBe(kind);
    }
  });

  it('maps the kinds clients rely on to the expected HTTP statuses', () => {
    expect(httpStatusOf(ErrorKind.Unauthenticated)).toBe(401);
    expect(httpStatusOf(ErrorKind.NotFound)).toBe(404);
    expect(httpStatusOf(ErrorKind.RateLimited)).toBe(429);
    expect(httpStatusOf(ErrorKind.Unavailable)).toBe(503);
    expect(kindOfGrpcStatus(status.UNKNOWN)).toBe(ErrorKind.Internal);
  });

  it('carries the code a throw site gives and defaults it from the kind', () => {
    expect(new DomainError(ErrorKind.NotFound, 'Chat not found', { code: 'CHAT_NOT_FOUND' }).code).toBe(
      'CHAT_NOT_FOUND',
    );
    expect(new DomainError(ErrorKind.NotFound, 'gone').code).toBe('NOT_FOUND');
    expect(new DomainError(ErrorKind.RateLimited, 'slow down', { retryAfterSeconds: 3 }).code).toBe(
      'RATE_LIMITED',
    );
    // A code that is not UPPER_SNAKE is not trusted; the kind's name stands in.
    expect(new DomainError(ErrorKind.InvalidArgument, 'x', { code: 'lower-case' }).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(isErrorCode('QUOTA_EXCEEDED')).toBe(true);
    expect(isErrorCode('A'.repeat(65))).toBe(false);
    expect(isErrorCode('TRAILING_')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });
});
