export { DomainError, ErrorKind, grpcStatusOf, httpStatusOf, kindOfGrpcStatus } from './domain-error';
