import type { ClientRequest, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';
import type { Logger } from '@parley/logging';

/**
 * Passes Socket.IO at /ws/ through to the realtime service: the WebSocket upgrade, and long-polling
 * requests when the realtime service allows them (those need sticky sessions across copies).
 */
export function attachRealtimeProxy(
  server: Server,
  target: string,
  logger: Logger,
  { websocket = true }: { websocket?: boolean } = {},
) {
  const proxy = httpProxy.createProxyServer({ target, ws: true, xfwd: true });
  proxy.on('error', (error, _req, resOrSocket) => {
    logger.warn({ err: error }, 'realtime proxy error');
    const res = resOrSocket as ServerResponse | Duplex;
    if ('writeHead' in res && !res.headersSent) {
      res.writeHead(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ detail: 'The realtime service is unavailable; try again shortly.' }));
    } else {
      res.destroy();
    }
  });
  // http-proxy pipes the two sockets but does not end the realtime side when the client's is destroyed
  // (a drain cuts it, a client vanishes): close it too, so realtime sees the socket go at once.
  proxy.on('proxyReqWs', (proxyReq: ClientRequest, _req: IncomingMessage, socket: Duplex) => {
    proxyReq.once('upgrade', (_res: IncomingMessage, upstream: Duplex) => {
      if (socket.destroyed) upstream.destroy();
      else socket.once('close', () => upstream.destroy());
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!req.url?.startsWith('/ws/')) socket.destroy();
    else if (websocket) proxy.ws(req, socket, head);
    else refuseUpgrade(socket);
  });
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (req.url?.startsWith('/ws/')) proxy.web(req, res);
    else next();
  };
}

/** ENABLE_WEBSOCKET_SUPPORT=false: a plain answer the client reads, so it goes on to long-polling. */
function refuseUpgrade(socket: Duplex): void {
  const body = JSON.stringify({
    detail: 'WebSocket is off on this server (ENABLE_WEBSOCKET_SUPPORT=false); connect with long-polling.',
  });
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
