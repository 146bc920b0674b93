import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ConnectRealtime, RealtimeConnection } from './realtime-types';

const RealtimeContext = createContext<RealtimeConnection | null>(null);

/** Opens one connection while mounted (i.e. while signed in and approved) and closes it on unmount. */
export function RealtimeProvider({
  connect,
  token,
  children,
}: {
  connect: ConnectRealtime;
  token: string | null;
  children: ReactNode;
}) {
  const [connection, setConnection] = useState<RealtimeConnection | null>(null);

  useEffect(() => {
    const next = connect(token);
    setConnection(next);
    return () => {
      next.disconnect();
      setConnection(null);
    };
  }, [connect, token]);

  return <RealtimeContext.Provider value={connection}>{children}</RealtimeContext.Provider>;
}

/** The live connection, or null before it exists. */
export function useRealtime(): RealtimeConnection | null {
  return useContext(RealtimeContext);
}

/** Subscribes `listener` to `event` for as long as the component is mounted. */
export function useRealtimeEvent(event: string, listener: (...args: unknown[]) => void): void {
  const connection = useRealtime();
  useEffect(() => {
    if (!connection) return;
    connection.on(event, listener);
    return () => {
      connection.off(event, listener);
    };
  }, [connection, event, listener]);
}
