import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { toSafeText } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import type { TokenUsage } from './token-usage';
import type { UsageRowView } from './usage.repository';

/** The sums of one user, day and model that this copy has not written yet: a usage row's counts. */
export type UsageCounts = UsageRowView;

/** Where the sums go: one statement for the whole batch (UsageRepository.addMany). */
export interface UsageSink {
  addMany(rows: UsageCounts[]): Promise<void>;
}
export const USAGE_SINK = Symbol('USAGE_SINK');

/** Time and the flush timer, injected so a test drives flushing by hand. */
export interface UsageClock {
  now(): Date;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}
export const USAGE_CLOCK = Symbol('USAGE_CLOCK');

export const systemClock: UsageClock = {
  now: () => new Date(),
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** Attempts of the last flush at shutdown (there is no next tick to retry on). */
const FINAL_ATTEMPTS = 3;

const keyOf = (userId: string, day: string, modelId: string) => `${userId}\n${day}\n${modelId}`;

/**
 * Usage accounting off the response path: a completion's tokens are added here in memory (no await,
 * so nothing runs between the upstream's last token and the end of our stream) and written every
 * USAGE_FLUSH_INTERVAL_MS as one multi-row upsert per copy, whatever the number of completions. A
 * failed write keeps its sums for the next tick; shutdown (after the drain) writes what is left. A
 * crash loses at most one interval of counts (docs/performance.md).
 */
@Injectable()
export class UsageAccumulator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private pending = new Map<string, UsageCounts>();
  /** The batch being written: still counted for quotas until the write has finished. */
  private writing = new Map<string, UsageCounts>();
  private flushing?: Promise<boolean>;
  private stopTimer?: () => void;
  private failures = 0;

  constructor(
    @Inject(USAGE_SINK) private readonly sink: UsageSink,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(MODEL_GATEWAY_CONFIG)
    private readonly config: Pick<ModelGatewayConfig, 'USAGE_FLUSH_INTERVAL_MS'>,
    @Optional() @Inject(USAGE_CLOCK) private readonly clock: UsageClock = systemClock,
  ) {}

  onApplicationBootstrap(): void {
    this.stopTimer = this.clock.every(this.config.USAGE_FLUSH_INTERVAL_MS, () => void this.flush());
  }

  /** After the servers drained (every finished completion is in here): stop ticking, write the rest. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    for (let attempt = 1; attempt <= FINAL_ATTEMPTS && this.size() > 0; attempt++) await this.flush();
    if (this.size() > 0)
      this.logger.error(
        { rows: this.pending.size },
        'usage of the last completions could not be written before shutdown; their counts are lost',
      );
  }

  /** Adds one completion (one request) to today's sums of its user and model. Synchronous. */
  add(userId: string, modelId: string, tokens: TokenUsage): void {
    const day = this.clock.now().toISOString().slice(0, 10);
    const key = keyOf(userId, day, modelId);
    const row = this.pending.get(key);
    const estimated = tokens.estimated ? 1 : 0;
    if (row) {
      row.promptTokens += tokens.promptTokens;
      row.completionTokens += tokens.completionTokens;
      row.requests += 1;
      row.estimatedRequests += estimated;
      return;
    }
    this.pending.set(key, {
      userId,
      modelId,
      day,
      promptTokens: tokens.promptTokens,
      completionTokens: tokens.completionTokens,
      requests: 1,
      estimatedRequests: estimated,
    });
  }

  /** A user's tokens on `day` that this copy holds and PostgreSQL may not have yet (pending or being written). */
  unwrittenTokens(userId: string, day: string): number {
    let sum = 0;
    for (const rows of [this.pending, this.writing])
      for (const row of rows.values())
        if (row.userId === userId && row.day === day) sum += row.promptTokens + row.completionTokens;
    return sum;
  }

  /** Rows (user, day, model) not written yet. */
  size(): number {
    return this.pending.size + this.writing.size;
  }

  /**
   * Writes everything pending in one statement; true when nothing is left unwritten. A flush already
   * running is joined, not doubled. On failure the batch goes back into the sums for the next tick.
   */
  flush(): Promise<boolean> {
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<boolean> {
    if (this.pending.size === 0) return true;
    this.writing = this.pending;
    this.pending = new Map();
    // One lock order for every copy: two copies upserting overlapping rows cannot deadlock.
    const rows = [...this.writing.values()].sort(
      (a, b) => cmp(a.userId, b.userId) || cmp(a.day, b.day) || cmp(a.modelId, b.modelId),
    );
    try {
      await this.sink.addMany(rows);
      if (this.failures)
        this.logger.info(
          { rows: rows.length, failures: this.failures },
          'usage written again after failures',
        );
      this.failures = 0;
      this.writing = new Map();
      return this.pending.size === 0;
    } catch (error) {
      this.failures++;
      const failed = this.writing;
      this.writing = new Map();
      for (const [key, row] of failed) this.merge(key, row);
      this.logger.warn(
        { error: errorText(error), rows: rows.length, failures: this.failures },
        'could not write usage (PostgreSQL?); kept in memory for the next flush',
      );
      return false;
    }
  }

  private merge(key: string, row: UsageCounts): void {
    const current = this.pending.get(key);
    if (!current) return void this.pending.set(key, row);
    current.promptTokens += row.promptTokens;
    current.completionTokens += row.completionTokens;
    current.requests += row.requests;
    current.estimatedRequests += row.estimatedRequests;
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What failed, for the log: the error's name, code and message, with any URL's password taken out. */
export function errorText(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const text = `${name}${typeof code === 'string' ? ` (${code})` : ''}: ${message}`;
  return toSafeText(text.replace(/\/\/([^:/@\s]*):[^@\s]*@/g, '//$1:[redacted]@'), 500);
}
