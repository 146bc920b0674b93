export { createLogger, REDACTED_PATHS } from './logger';
export type { Logger, CreateLoggerOptions } from './logger';
export { NestPinoLogger } from './nest-logger';
export { httpRequestLogging } from './http-request-logging.middleware';
export {
  REQUEST_ID_HEADER,
  currentRequestContext,
  currentRequestId,
  runWithRequestContext,
  sanitizeRequestId,
} from './request-context';
export type { RequestContext } from './request-context';
/** Injection token for the process's pino logger in Nest modules. */
export const LOGGER = Symbol.for('parley.logger');
