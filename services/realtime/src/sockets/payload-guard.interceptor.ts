import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { catchError, from, Observable, of } from 'rxjs';
import { describeUnsafeInput, DomainError, toSafeErrorText } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { refusal, type Ack } from '../events/realtime-events';
import { REALTIME_CONFIG, RealtimeConfig } from '../realtime.config';

/** Deepest nesting an event payload may have. */
export const MAX_PAYLOAD_DEPTH = 64;

/** Why a payload is refused before any handler reads it, or undefined when it is fine. */
export function describeUnsafePayload(
  payload: unknown,
  maxBytes: number,
): { problem: string; code: 'INVALID_INPUT' | 'PAYLOAD_TOO_LARGE' } | undefined {
  const unsafe = describeUnsafeInput(payload, { maxDepth: MAX_PAYLOAD_DEPTH, root: 'payload' });
  if (unsafe) return { problem: unsafe, code: 'INVALID_INPUT' };
  if (payload === undefined) return undefined;
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(payload) ?? '');
  } catch {
    return { problem: 'payload could not be read as JSON', code: 'INVALID_INPUT' };
  }
  return bytes > maxBytes
    ? { problem: `payload is ${bytes} bytes; the limit is ${maxBytes}`, code: 'PAYLOAD_TOO_LARGE' }
    : undefined;
}

/**
 * Every event handler of the gateway runs behind this: a payload with NUL characters, lone surrogates,
 * nesting deeper than 64 or more than REALTIME_MAX_PAYLOAD_BYTES is answered `{ ok: false, detail }`
 * without running the handler, and a handler that throws is answered the same way (and logged) instead
 * of reaching Nest's exception path, so neither the socket nor the process goes down.
 */
@Injectable()
export class PayloadGuardInterceptor implements NestInterceptor {
  constructor(
    @Inject(REALTIME_CONFIG) private readonly config: RealtimeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const event = context.getHandler().name;
    const unsafe = describeUnsafePayload(
      context.switchToWs().getData(),
      this.config.REALTIME_MAX_PAYLOAD_BYTES,
    );
    if (unsafe) return of<Ack>(refusal(`Refused: ${unsafe.problem}.`, unsafe.code));
    let handled: Observable<unknown>;
    try {
      handled = next.handle();
    } catch (error) {
      return of(this.failure(error, event));
    }
    return from(handled).pipe(catchError((error: unknown) => of(this.failure(error, event))));
  }

  private failure(error: unknown, handler: string): Ack {
    if (error instanceof DomainError) return refusal(toSafeErrorText(error.message), error.code);
    this.logger.error({ err: error, handler }, 'socket event handler failed');
    return refusal('The realtime service could not answer; try again shortly.', 'INTERNAL');
  }
}
