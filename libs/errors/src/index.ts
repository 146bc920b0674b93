export {
  DomainError,
  ErrorKind,
  grpcStatusOf,
  httpStatusOf,
  isErrorCode,
  kindOfGrpcStatus,
  type DomainErrorExtra,
} from './domain-error';
export {
  DEFAULT_MAX_INPUT_DEPTH,
  describeUnsafeInput,
  describeUnsafeString,
  toSafeErrorText,
  toSafeText,
  type UnsafeInputOptions,
} from './unsafe-input';
