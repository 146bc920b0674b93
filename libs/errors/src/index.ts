export {
  DomainError,
  ErrorKind,
  grpcStatusOf,
  httpStatusOf,
  isErrorCode,
  kindOfGrpcStatus,
  type DomainErrorExtra,
  type FieldViolation,
} from './domain-error';
export {
  DEFAULT_MAX_INPUT_DEPTH,
  describeUnsafeInput,
  describeUnsafeString,
  findUnsafeInput,
  toSafeErrorText,
  toSafeText,
  type UnsafeInput,
  type UnsafeInputOptions,
} from './unsafe-input';
