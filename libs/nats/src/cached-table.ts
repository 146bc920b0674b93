import type { Logger } from '@parley/logging';
import { EVENT_VERSION, type EventSpec } from './event-subjects';
import type { NatsClient } from './nats-client';
import type { eventsV1 } from '@parley/proto';

/**
 * A small, rarely written table kept in memory on every copy, so the per-completion path reads no
 * database: loaded at most every `maxAgeMs`, and dropped at once on every copy when a write on any copy
 * publishes `changes` (no queue group: each copy gets it). Concurrent readers share one load.
 */
export class CachedTable<T> {
  private snapshot?: { value: T; at: number };
  private loading?: Promise<T>;
  private generation = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly nats: NatsClient,
    private readonly changes: EventSpec<typeof eventsV1.TableChangedSchema>,
    private readonly logger: Logger,
  ) {}

  /** Starts listening for changes made by other copies (once NATS is there; start-up does not wait). */
  listen(): void {
    void this.nats
      .subscribe(this.changes, {}, () => this.drop())
      .catch((error: unknown) =>
        this.logger.warn({ err: error, subject: this.changes.subject }, 'no change events'),
      );
  }

  async get(): Promise<T> {
    if (this.snapshot && Date.now() - this.snapshot.at < this.maxAgeMs) return this.snapshot.value;
    this.loading ??= (async () => {
      const generation = this.generation;
      try {
        const value = await this.load();
        // A change that arrived while loading may not be in what was read: keep it only if none did.
        if (generation === this.generation) this.snapshot = { value, at: Date.now() };
        return value;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /** After a write on this copy: drop the local copy and tell the others. */
  changed(): void {
    this.drop();
    try {
      this.nats.publish(this.changes, { v: EVENT_VERSION });
    } catch (error) {
      this.logger.warn(
        { err: error, subject: this.changes.subject },
        'change not announced; other copies catch up',
      );
    }
  }

  /**
   * Forgets the local copy if it is older than `ms` (a reader that missed something it expected, e.g.
   * a model just renamed on another copy whose change event is still on its way); true if it did.
   */
  dropIfOlderThan(ms: number): boolean {
    if (!this.snapshot || Date.now() - this.snapshot.at < ms) return false;
    this.drop();
    return true;
  }

  /** Forgets the local copy: the next read loads the table. */
  drop(): void {
    this.generation++;
    this.snapshot = undefined;
  }
}
