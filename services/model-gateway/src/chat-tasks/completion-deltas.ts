import { fromJson, type JsonValue, type MessageInitShape } from '@bufbuild/protobuf';
import { ListValueSchema } from '@bufbuild/protobuf/wkt';
import type { Logger } from '@parley/logging';
import { EVENT_VERSION, EVENTS, type NatsClient } from '@parley/nats';
import type { eventsV1 } from '@parley/proto';

/** One `completion.<message_id>` payload (parley.events.v1.CompletionDelta), before it is written. */
export type CompletionDelta = MessageInitShape<typeof eventsV1.CompletionDeltaSchema>;

export interface DeltaTarget {
  userId: string;
  chatId: string;
  messageId: string;
}

/**
 * The deltas of one answer, in order, numbered from 1 without gaps. Text that arrives while a publish
 * is under way, or within `coalesceMs` of the last one, is sent together as the next delta: one event
 * per upstream token costs realtime and every socket far more than it gives a reader. The first delta
 * goes out at once, so the time to first token is not delayed.
 *
 * Before a seq is published it is recorded (`recordSeq`), so the highest published seq is never above
 * the recorded one: a sweeper that finishes the answer after this copy died can continue the numbering
 * (docs/chat-tasks.md).
 */
export class CompletionDeltaStream {
  private seq = 0;
  private buffered = '';
  private flushing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private lastFlushAt = 0;
  private closed = false;
  private sources?: unknown[];

  constructor(
    private readonly target: DeltaTarget,
    private readonly nats: NatsClient,
    private readonly recordSeq: (seq: number) => Promise<void>,
    private readonly coalesceMs: number,
    private readonly logger: Logger,
  ) {}

  get publishedSeq(): number {
    return this.seq;
  }

  /** What the answer cites: it travels on the first delta published after this. */
  cite(sources: unknown[]): void {
    if (this.seq === 0 && sources.length) this.sources = sources;
  }

  push(text: string): void {
    if (this.closed || !text) return;
    this.buffered += text;
    this.schedule();
  }

  /** Sends what is buffered with `done` (and the error, if the answer failed); the last delta. */
  async end(error?: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.flushing;
    await this.publish(this.buffered, true, error);
    this.buffered = '';
  }

  private schedule(): void {
    if (this.flushing || this.timer) return;
    const wait = this.lastFlushAt + this.coalesceMs - Date.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private flush(): void {
    if (!this.buffered || this.closed) return;
    const text = this.buffered;
    this.buffered = '';
    this.lastFlushAt = Date.now();
    this.flushing = this.publish(text, false).finally(() => {
      this.flushing = undefined;
      if (this.buffered) this.schedule();
    });
  }

  private async publish(delta: string, done: boolean, error?: string): Promise<void> {
    const seq = ++this.seq;
    let sources: CompletionDelta['sources'];
    try {
      sources = this.sources && toListValue(this.sources);
    } catch (failure) {
      // The answer goes on without them on the delta; they are still saved with the message.
      this.logger.warn({ err: failure, seq }, 'chat task: sources not put on the delta');
    }
    this.sources = undefined;
    await this.recordSeq(seq).catch((failure: unknown) =>
      this.logger.warn({ err: failure, seq }, 'chat task: delta seq not recorded (Redis); publishing anyway'),
    );
    const payload: CompletionDelta = {
      v: EVENT_VERSION,
      userId: this.target.userId,
      chatId: this.target.chatId,
      messageId: this.target.messageId,
      seq,
      delta,
      done,
      ...(error ? { error } : {}),
      ...(sources ? { sources } : {}),
    };
    try {
      this.nats.publish(EVENTS.completionDelta.at(this.target.messageId), payload);
    } catch (failure) {
      // The answer is still saved; open tabs see it when they reload or resume.
      this.logger.warn({ err: failure, seq }, 'chat task: delta not published (NATS)');
    }
  }
}

/**
 * The last two deltas of an answer whose copy died, published by the sweeper: an empty delta at the
 * recorded seq (a no-op if the dead copy published it, the missing one if it did not) and the final
 * one after it (with the error, when the answer was not saved whole).
 */
export function closingDeltas(target: DeltaTarget, recordedSeq: number, error?: string): CompletionDelta[] {
  const base = {
    v: EVENT_VERSION,
    userId: target.userId,
    chatId: target.chatId,
    messageId: target.messageId,
  };
  const closing: CompletionDelta[] = [];
  if (recordedSeq >= 1) closing.push({ ...base, seq: recordedSeq, delta: '', done: false });
  closing.push({ ...base, seq: recordedSeq + 1, delta: '', done: true, ...(error ? { error } : {}) });
  return closing;
}

/**
 * JSON values as google.protobuf.ListValue (what CompletionDelta.sources is on the wire), through JSON
 * text so `undefined` fields are left out as they would be on the wire.
 */
function toListValue(values: unknown[]): CompletionDelta['sources'] {
  return fromJson(ListValueSchema, JSON.parse(JSON.stringify(values)) as JsonValue);
}
