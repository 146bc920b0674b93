import type { ConnectRealtime, RealtimeConnection } from '../realtime';

type Listener = (...args: unknown[]) => void;

/** An in-memory socket: tests call `serverEmit` to play the server's part. */
export class FakeRealtimeConnection implements RealtimeConnection {
  readonly listeners = new Map<string, Set<Listener>>();
  disconnected = false;

  constructor(readonly token: string | null) {}

  on(event: string, listener: Listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)?.add(listener);
    return this;
  }

  off(event: string, listener: Listener) {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  disconnect() {
    this.disconnected = true;
    return this;
  }

  serverEmit(event: string, ...args: unknown[]) {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }
}

export function createFakeRealtime() {
  const connections: FakeRealtimeConnection[] = [];
  const connect: ConnectRealtime = (token) => {
    const connection = new FakeRealtimeConnection(token);
    connections.push(connection);
    return connection;
  };
  return {
    connect,
    connections,
    /** The connection opened last and still open. */
    get current(): FakeRealtimeConnection {
      const open = connections.filter((c) => !c.disconnected);
      const last = open[open.length - 1];
      if (!last) throw new Error('no open realtime connection');
      return last;
    },
  };
}
