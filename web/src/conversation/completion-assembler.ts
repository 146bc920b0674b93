import { readServerEvent, type ChatCompletionJson } from '../realtime';

/** A checked `chat:completion` event: the fields the assembler needs, present. */
export type CompletionDelta = Required<Omit<ChatCompletionJson, 'v' | 'error' | 'sources'>> &
  Pick<ChatCompletionJson, 'error'> & { sources?: unknown[] };

export interface StreamState {
  chatId: string;
  messageId: string;
  /** The next seq wanted; `next - 1` is the last one applied. */
  next: number;
  content: string;
  done: boolean;
  error: string | undefined;
  /** The answer's `sources` (Open WebUI's shape), from its first delta; read with readCitations. */
  sources: unknown[] | undefined;
}

interface Entry extends StreamState {
  pending: Map<number, CompletionDelta>;
}

type Listener = () => void;

/**
 * Puts streamed answers together from `chat:completion` deltas, exactly as docs/realtime-events.md
 * describes: by seq, dropping repeats, holding early arrivals until the gap fills. Components
 * subscribe to it (useSyncExternalStore); a snapshot per message changes only when it changed.
 */
export class CompletionStore {
  private readonly entries = new Map<string, Entry>();
  private readonly snapshots = new Map<string, StreamState>();
  private readonly listeners = new Set<Listener>();
  /** Grows with every change; the snapshot for useSyncExternalStore. */
  version = 0;

  apply(event: CompletionDelta): void {
    let entry = this.entries.get(event.message_id);
    if (!entry) {
      entry = {
        chatId: event.chat_id,
        messageId: event.message_id,
        next: 1,
        content: '',
        done: false,
        error: undefined,
        sources: undefined,
        pending: new Map(),
      };
      this.entries.set(event.message_id, entry);
    }
    if (event.seq < entry.next || entry.pending.has(event.seq)) return;
    entry.pending.set(event.seq, event);
    let changed = false;
    for (let d; (d = entry.pending.get(entry.next)); entry.next++) {
      entry.pending.delete(entry.next);
      entry.content += d.content;
      if (d.sources) entry.sources = d.sources;
      if (d.done) {
        entry.done = true;
        entry.error = d.error;
      }
      changed = true;
    }
    if (changed) {
      const { pending: _pending, ...snapshot } = entry;
      this.snapshots.set(entry.messageId, snapshot);
      this.version++;
      this.listeners.forEach((listener) => listener());
    }
  }

  get(messageId: string): StreamState | undefined {
    return this.snapshots.get(messageId);
  }

  /** Last seq held of every unfinished answer we know of. */
  unfinished(): { message_id: string; after_seq: number }[] {
    return [...this.entries.values()]
      .filter((entry) => !entry.done)
      .map((entry) => ({ message_id: entry.messageId, after_seq: entry.next - 1 }));
  }

  lastSeq(messageId: string): number {
    return (this.entries.get(messageId)?.next ?? 1) - 1;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

/** A `chat:completion` payload, or null for one of another version or shape (seq counts from 1). */
export function parseCompletionEvent(payload: unknown): CompletionDelta | null {
  const e = readServerEvent('chat:completion', payload);
  if (
    !e ||
    typeof e.chat_id !== 'string' ||
    typeof e.message_id !== 'string' ||
    typeof e.seq !== 'number' ||
    !Number.isInteger(e.seq) ||
    e.seq < 1 ||
    typeof e.content !== 'string' ||
    typeof e.done !== 'boolean'
  )
    return null;
  return {
    chat_id: e.chat_id,
    message_id: e.message_id,
    seq: e.seq,
    content: e.content,
    done: e.done,
    error: typeof e.error === 'string' ? e.error : undefined,
    ...(Array.isArray(e.sources) && e.sources.length > 0 ? { sources: e.sources as unknown[] } : {}),
  };
}
