export { toGrpcServiceDefinition } from './service-definition';
export { GrpcServerHost } from './grpc-server-host';
export type {
  CallAuthenticator,
  CallContext,
  GrpcServerHostOptions,
  ServerStream,
  ServiceHandlers,
} from './grpc-server-host';
export { createGrpcClient, toDomainError } from './grpc-client';
export type { CallOptions, GrpcClientOptions, ServiceClient } from './grpc-client';
export { checkGrpcHealth } from './grpc-health-probe';
export {
  DEFAULT_TLS_REFRESH_INTERVAL_MS,
  TransportSecurity,
  TransportSecurityConfigError,
  grpcChannelCredentials,
  grpcServerCredentials,
  transportSecurity,
  transportSecurityFilesOf,
  useTransportSecurity,
} from './transport-security';
export type { TransportSecurityFiles, TransportSecurityOptions } from './transport-security';
export { outgoingMetadata } from './call-metadata';
export { ERROR_DOMAIN, STATUS_DETAILS_METADATA, errorCodeOf, fieldViolationsOf } from './error-details';
export {
  CALLER_METADATA_KEY,
  CallerSigner,
  CallerVerifier,
  callerSecretsOf,
  callerSigning,
  serviceCaller,
  CLOCK_SKEW_SECONDS,
  DEFAULT_ASSERTION_LIFETIME_SECONDS,
  MAX_ASSERTION_LIFETIME_SECONDS,
} from './caller-assertion';
export type {
  Caller,
  ServiceCaller,
  UserCaller,
  CallerSignerOptions,
  CallerSigning,
  CallerVerifierOptions,
} from './caller-assertion';
export { actingAdmin, actingUser, requirePermission } from './acting-user';
export {
  accessControlFromProto,
  accessControlToProto,
  canRead,
  canWrite,
  checkAccessControlSize,
  toAccessControl,
} from './access-control';
export { metaObjectOf } from './meta-json';
export type { AccessControl, AccessRule, Accessor, Owned } from './access-control';
