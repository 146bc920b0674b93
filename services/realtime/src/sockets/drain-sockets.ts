import type { Server } from 'socket.io';

/**
 * Closes the transport of every socket on this copy, so its clients reconnect (through the load
 * balancer, to another copy) and resume there. Not `disconnectSockets()`: a Socket.IO disconnect packet
 * reads to the client as "io server disconnect", after which socket.io-client does not reconnect by
 * itself; a closed transport ("transport close") it does. Waits up to `waitMs` for the close frames to
 * go out; the drain cuts what is left.
 */
export async function closeSocketsForReconnect(server: Server, waitMs: number): Promise<void> {
  for (const socket of server.sockets.sockets.values()) socket.conn.close();
  const deadline = Date.now() + waitMs;
  while (server.engine.clientsCount > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
