import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import express from 'express';
import { maxHeaderSize, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DomainError, ErrorKind, describeUnsafeInput } from '@parley/errors';
import { httpRequestLogging, NestPinoLogger, type Logger } from '@parley/logging';
import { httpTracing, initMetrics, shutdownTelemetry } from '@parley/telemetry';
import type { GrpcServerHost } from '@parley/grpc';
import { HealthRegistry } from './health-registry';
import { HttpErrorFilter } from './http-error.filter';

export interface RunServiceOptions {
  name: string;
  logger: Logger;
  /** The root Nest module (usually a dynamic module carrying the validated config). */
  module: unknown;
  httpPort: number;
  httpHost?: string;
  /** Limit on JSON bodies; larger ones get 413. */
  bodyLimit?: string;
  /** Set for services that serve gRPC. */
  grpc?: { host: GrpcServerHost; port: number };
  /** How long in-flight work may take to finish after SIGTERM. */
  shutdownGraceMs: number;
  /** Called after the app is created and before it listens (extra middleware, adapters). */
  configure?: (app: INestApplication) => void | Promise<void>;
  /**
   * Runs first on SIGTERM with the whole drain budget (e.g. tell socket clients to reconnect
   * elsewhere); the servers get what it leaves. Upgraded sockets still open when it returns are cut.
   */
  beforeDrain?: (app: INestApplication, budgetMs: number) => void | Promise<void>;
  /** Drain and exit on SIGTERM/SIGINT (default). Tests that run services in-process turn it off. */
  handleSignals?: boolean;
}

export interface RunningService {
  app: INestApplication;
  httpPort: number;
  grpcPort?: number;
  drain(reason: string): Promise<void>;
}

/**
 * Starts a service the same way everywhere: structured logs, request ids, tracing, the error shape,
 * health and metrics, the gRPC server; and on SIGTERM or SIGINT a drain: readiness turns false, no new
 * connections or calls are taken, in-flight requests and streams finish within the grace period, then
 * resources close and the process exits 0.
 */
export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const { logger } = options;
  initMetrics(options.name);
  const app = await NestFactory.create(options.module as never, {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  app.use(httpRequestLogging(logger));
  app.use(httpTracing());
  app.use(urlLengthLimit(MAX_URL_LENGTH));
  app.use(jsonBodies(options.bodyLimit ?? '1mb'));
  app.useGlobalFilters(new HttpErrorFilter(logger));
  (app.getHttpAdapter().getInstance() as express.Express).disable('x-powered-by');
  await options.configure?.(app);

  const health = app.get(HealthRegistry);
  await app.listen(options.httpPort, options.httpHost ?? '0.0.0.0');
  const server = app.getHttpServer() as Server;
  answerClientErrors(server, logger);
  const connections = trackConnections(server);
  const address = server.address();
  const httpPort = typeof address === 'object' && address ? address.port : options.httpPort;

  let grpcPort: number | undefined;
  if (options.grpc) {
    grpcPort = await options.grpc.host.listen(options.grpc.port);
    options.grpc.host.setServing(true);
  }
  logger.info({ httpPort, grpcPort }, `${options.name} started`);

  let draining: Promise<void> | undefined;
  const drain = (reason: string): Promise<void> => {
    draining ??= (async () => {
      logger.info({ reason, graceMs: options.shutdownGraceMs }, 'draining');
      health.startDraining();
      // One budget for the whole drain: what beforeDrain uses, the servers do not get again, so the
      // process is done within SHUTDOWN_GRACE_MS (plus closing its clients) and the pod's grace holds.
      const deadline = Date.now() + options.shutdownGraceMs;
      // The listener closes first, so a client told to reconnect cannot land on this copy again.
      const httpClosed = closeHttpServer(server, options.shutdownGraceMs, connections);
      await options.beforeDrain?.(app, options.shutdownGraceMs);
      // An upgraded socket (a WebSocket, proxied or served) never ends by itself and would hold the HTTP
      // server open until SIGKILL. Closing it is the reconnect hint: Socket.IO clients reconnect (through
      // the load balancer, to another copy) and resume. Requests and streams in flight keep the grace.
      const cut = connections.cutUpgraded();
      if (cut > 0) logger.info({ sockets: cut }, 'draining: closed upgraded sockets so clients reconnect');
      const remainingMs = Math.max(1_000, deadline - Date.now());
      const results = await Promise.all([
        httpClosed,
        options.grpc ? options.grpc.host.drain(remainingMs) : Promise.resolve('drained' as const),
      ]);
      if (results.includes('forced')) logger.warn('grace period ended; remaining connections were cut');
      await app.close().catch((error) => logger.error({ err: error }, 'error while closing resources'));
      await shutdownTelemetry();
      logger.info('stopped');
    })();
    return draining;
  };

  for (const signal of options.handleSignals === false ? [] : (['SIGTERM', 'SIGINT'] as const)) {
    process.once(signal, () => {
      void drain(signal).then(() => process.exit(0));
    });
  }
  return { app, httpPort, grpcPort, drain };
}

/** express.json with its failures turned into domain errors, so they leave as clear 400/413 answers. */
function jsonBodies(limit: string) {
  const parse = express.json({ limit });
  return (req: express.Request, res: express.Response, next: (error?: unknown) => void): void =>
    parse(req, res, (error?: unknown) => {
      if (!error) {
        // JSON.parse itself is iterative; this check runs before any recursive code sees the body.
        const problem = req.body === undefined ? undefined : describeUnsafeInput(req.body, { root: 'body' });
        if (problem)
          return next(
            new DomainError(ErrorKind.InvalidArgument, `Invalid request: ${problem}.`, {
              code: 'INVALID_INPUT',
            }),
          );
        return next();
      }
      const failure = error as { type?: string; limit?: number };
      if (failure.type === 'entity.too.large') {
        return next(
          new DomainError(
            ErrorKind.PayloadTooLarge,
            `The request body is larger than the limit of ${limit}.`,
          ),
        );
      }
      if (failure.type === 'entity.parse.failed') {
        return next(
          new DomainError(ErrorKind.InvalidArgument, 'The request body is not valid JSON.', {
            code: 'INVALID_INPUT',
          }),
        );
      }
      next(
        new DomainError(
          ErrorKind.InvalidArgument,
          `The request body could not be read: ${(error as Error).message}`,
          { code: 'INVALID_INPUT' },
        ),
      );
    });
}

/** Longest request target (path and query) taken; a longer one gets 414. */
export const MAX_URL_LENGTH = 8 * 1024;

function urlLengthLimit(max: number) {
  return (req: express.Request, res: express.Response, next: (error?: unknown) => void): void => {
    if (req.originalUrl.length > max) {
      res.status(414).json({
        detail: `The request URL is longer than the limit of ${max} characters.`,
        code: 'URL_TOO_LONG',
      });
      return;
    }
    next();
  };
}

/**
 * Requests Node's parser refuses before any route runs (headers over the server's maxHeaderSize, which a
 * very long URL also hits, or malformed HTTP) get a clear answer instead of a bare reset: 414 when the
 * request line alone is too long, 431 for too-large headers, 400 otherwise.
 */
function answerClientErrors(server: Server, logger: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    let status = 400;
    let code = 'MALFORMED_HTTP';
    let detail = 'The request is not valid HTTP.';
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      const raw = error.rawPacket ?? Buffer.alloc(0);
      const lineEnd = raw.indexOf('\r\n');
      const requestLine = lineEnd === -1 ? raw.length : lineEnd;
      if (requestLine > MAX_URL_LENGTH) {
        status = 414;
        code = 'URL_TOO_LONG';
        detail = `The request URL is longer than the limit of ${MAX_URL_LENGTH} characters.`;
      } else {
        status = 431;
        code = 'HEADERS_TOO_LARGE';
        detail = `The request headers are larger than the limit of ${maxHeaderSize} bytes.`;
      }
    } else if (error.code === 'HPE_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      code = 'REQUEST_TIMEOUT';
      detail = 'The request took too long to arrive.';
    }
    logger.info({ code: error.code, status }, 'refused a malformed request');
    const body = JSON.stringify({ detail, code });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

interface TrackedConnections {
  /** Destroys every upgraded socket still open; returns how many there were. */
  cutUpgraded(): number;
  /** Destroys every connection still open, upgraded or not. */
  cutAll(): void;
}

/**
 * Keeps the server's sockets, and which of them were upgraded: Node's closeAllConnections() only knows
 * HTTP connections, so an upgraded socket would keep close() (and the process) waiting forever.
 */
function trackConnections(server: Server): TrackedConnections {
  const all = new Set<Duplex>();
  const upgraded = new Set<Duplex>();
  const keep = (set: Set<Duplex>, socket: Duplex) => {
    set.add(socket);
    socket.once('close', () => set.delete(socket));
  };
  server.on('connection', (socket: Socket) => keep(all, socket));
  server.prependListener('upgrade', (_req: unknown, socket: Duplex) => {
    // Alone, this listener would keep an upgrade nobody serves hanging; Node destroys those.
    if (server.listenerCount('upgrade') === 1) socket.destroy();
    else keep(upgraded, socket);
  });
  return {
    cutUpgraded: () => {
      const count = upgraded.size;
      for (const socket of upgraded) socket.destroy();
      return count;
    },
    cutAll: () => {
      for (const socket of all) socket.destroy();
      for (const socket of upgraded) socket.destroy();
    },
  };
}

function closeHttpServer(
  server: Server,
  graceMs: number,
  connections: TrackedConnections,
): Promise<'drained' | 'forced'> {
  return new Promise((resolve) => {
    // close() stops accepting, closes idle keep-alive sockets and waits for in-flight requests. A
    // keep-alive connection whose response ends later turns idle then: close those as they do, rather
    // than waiting for the client or the keep-alive timeout.
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const timer = setTimeout(() => {
      clearInterval(idle);
      server.closeAllConnections();
      connections.cutAll();
      resolve('forced');
    }, graceMs);
    server.close(() => {
      clearTimeout(timer);
      clearInterval(idle);
      resolve('drained');
    });
    server.closeIdleConnections();
  });
}
