import pino, { Logger, LoggerOptions } from 'pino';
import { trace } from '@opentelemetry/api';
import { currentRequestId } from './request-context';

export type { Logger } from 'pino';

/**
 * Fields never written to a log, wherever they appear one or two levels deep. Secrets that arrive under
 * other names are a bug in the caller: log ids, not payloads.
 */
export const REDACTED_PATHS = [
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'api_key',
  'secret',
  'authorization',
  'cookie',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.authorization',
  '*.cookie',
];

export interface CreateLoggerOptions {
  service: string;
  level?: string;
  /** Where to write; defaults to stdout. Tests pass a stream to read the lines back. */
  destination?: pino.DestinationStream;
}

export function createLogger({ service, level = 'info', destination }: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin() {
      const fields: Record<string, string> = {};
      const requestId = currentRequestId();
      if (requestId) fields.requestId = requestId;
      const spanContext = trace.getActiveSpan()?.spanContext();
      if (spanContext && spanContext.traceId !== '00000000000000000000000000000000') {
        fields.traceId = spanContext.traceId;
      }
      return fields;
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
