/** Chunks held while a write is under way before the reader stops pulling from the upstream. */
const MAX_HELD = 512;

/**
 * Gathers the chunks of a stream that are ready at the same moment into one write. A chunk is held
 * until the current macrotask ends (`setImmediate`), so chunks parsed from one network read travel
 * together; while a write waits for the reader (backpressure) the next chunks gather behind it. At
 * low load every chunk still goes out on its own, one event-loop turn later; under load the per-message
 * cost of gRPC and HTTP/2 is paid once per batch instead of once per token.
 */
export class ChunkBatcher {
  private held: string[] = [];
  private scheduled = false;
  private writing: Promise<boolean> = Promise.resolve(true);
  private open = true;
  private queued = false;

  /**
   * `send` writes one batch (`last` on the stream's final one) and resolves false when the reader has
   * gone (nothing more is sent).
   */
  constructor(private readonly send: (chunks: string[], last: boolean) => Promise<boolean>) {}

  /** Whether the reader is still there. */
  get isOpen(): boolean {
    return this.open;
  }

  /** Adds a chunk; waits only when too many are held behind a slow reader. */
  async add(chunk: string): Promise<void> {
    this.held.push(chunk);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
    if (this.held.length >= MAX_HELD) await this.writing;
  }

  /**
   * Sends everything held, after the writes before it; resolves false once the reader has gone. The
   * batch is taken when its write starts, so chunks that arrive while an earlier write waits for the
   * reader join it.
   */
  flush(): Promise<boolean> {
    if (this.queued || !this.held.length) return this.writing;
    this.queued = true;
    this.writing = this.writing.then(async (open) => {
      this.queued = false;
      const batch = this.held;
      this.held = [];
      if (!open || !this.open) return false;
      if (!batch.length) return true;
      this.open = await this.send(batch, false);
      return this.open;
    });
    return this.writing;
  }

  /**
   * Sends what is held as the stream's last batch (empty if everything went out already), after the
   * writes before it: the chunks parsed from the upstream's final read and the end travel together.
   */
  end(): Promise<boolean> {
    this.writing = this.writing.then(async (open) => {
      const batch = this.held;
      this.held = [];
      if (!open || !this.open) return false;
      this.open = await this.send(batch, true);
      return this.open;
    });
    return this.writing;
  }
}
