import { status } from '@grpc/grpc-js';
import { ErrorKind, grpcStatusOf, httpStatusOf, kindOfGrpcStatus } from './domain-error';

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
});
