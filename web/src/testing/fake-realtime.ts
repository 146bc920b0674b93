import type { ConnectRealtime, RealtimeConnection } from '../realtime';

type Listener = (...args: unknown[]) => void;
/** Plays the server's answer to a client request; its result is passed to the ack callback. */
export type FakeRequestHandler = (body: unknown) => unknown;

/** An in-memory socket: tests call `serverEmit` to play the server's part. */
export class FakeRealtimeConnection implements RealtimeConnection {
  readonly listeners = new Map<string, Set<Listener>>();
  disconnected = false;
  connected = true;
  id = 'fake-socket-id';
  /** Every client → server request, in order. */
  readonly emitted: { event: string; body: unknown }[] = [];
  readonly handlers = new Map<string, FakeRequestHandler>();

  constructor(readonly token: string | null) {}

  /** What the server acknowledges to `event`; without a handler requests get `{ ok: true }`. */
  handle(event: string, handler: FakeRequestHandler) {
    this.handlers.set(event, handler);
  }

  emit(event: string, ...args: unknown[]) {
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as Listener) : undefined;
    this.emitted.push({ event, body: args[0] });
    const handler = this.handlers.get(event);
    const reply = handler ? handler(args[0]) : { ok: true };
    if (ack) queueMicrotask(() => ack(reply));
    return this;
  }

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
    this.connected = false;
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
