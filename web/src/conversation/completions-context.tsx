import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { readServerEvent, useRealtime } from '../realtime';
import { CompletionStore, parseCompletionEvent } from './completion-assembler';

interface CompletionsValue {
  store: CompletionStore;
  /** Asks the server for the deltas of these answers (after_seq 0 for ones this tab never saw). */
  resume: (messageIds: string[]) => void;
  /** Answers this tab stopped or saw stopped: no longer treated as streaming. */
  stopped: ReadonlySet<string>;
  markStopped: (messageIds: string[]) => void;
}

const CompletionsContext = createContext<CompletionsValue | null>(null);

interface ResumeAck {
  ok?: boolean;
  completions?: unknown[];
}

/**
 * One assembler per signed-in tab: every `chat:completion` delta of the user (the socket is in the
 * user room) is put together here, whichever chat is open. On every (re)connect it asks the server
 * to replay what it missed, which also brings in answers started before a reload.
 */
export function CompletionsProvider({ children }: { children: ReactNode }) {
  const connection = useRealtime();
  const [store] = useState(() => new CompletionStore());
  const [stopped, setStopped] = useState<ReadonlySet<string>>(() => new Set());

  const request = useCallback(
    (streams: { message_id: string; after_seq: number }[]) => {
      if (!connection) return;
      connection.emit('chat:completion:resume', { streams }, (ack: unknown) => {
        const reply = ack as ResumeAck | null;
        if (!reply?.ok || !Array.isArray(reply.completions)) return;
        for (const payload of reply.completions) {
          const event = parseCompletionEvent(payload);
          if (event) store.apply(event);
        }
      });
    },
    [connection, store],
  );

  useEffect(() => {
    if (!connection) return;
    const onCompletion = (payload: unknown) => {
      const event = parseCompletionEvent(payload);
      if (event) store.apply(event);
    };
    const onConnect = () => request(store.unfinished());
    const onTaskStopped = (payload: unknown) => {
      const id = readServerEvent('task:stopped', payload)?.task?.message_id;
      if (typeof id === 'string') setStopped((previous) => new Set(previous).add(id));
    };
    connection.on('chat:completion', onCompletion);
    connection.on('connect', onConnect);
    connection.on('task:stopped', onTaskStopped);
    if (connection.connected) onConnect();
    return () => {
      connection.off('chat:completion', onCompletion);
      connection.off('connect', onConnect);
      connection.off('task:stopped', onTaskStopped);
    };
  }, [connection, store, request]);

  const resume = useCallback(
    (messageIds: string[]) =>
      request(messageIds.map((id) => ({ message_id: id, after_seq: store.lastSeq(id) }))),
    [request, store],
  );
  const markStopped = useCallback((ids: string[]) => {
    setStopped((previous) => {
      const next = new Set(previous);
      ids.forEach((id) => next.add(id));
      return next;
    });
  }, []);

  const value = useMemo(
    () => ({ store, resume, stopped, markStopped }),
    [store, resume, stopped, markStopped],
  );
  return <CompletionsContext.Provider value={value}>{children}</CompletionsContext.Provider>;
}

export function useCompletions(): CompletionsValue {
  const value = useContext(CompletionsContext);
  if (!value) throw new Error('useCompletions() needs a <CompletionsProvider> above it');
  return value;
}
