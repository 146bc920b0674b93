import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export interface VectorStore {
  /** postgres://postgres@127.0.0.1:<port>/postgres: PGVECTOR_DB_URL for the retrieval service. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface VectorStoreOptions {
  /**
   * Connections served at once. PGlite has one backend, so more connections only queue, but every pool
   * of every retrieval copy must get one: a connection above the limit is refused.
   */
  maxConnections?: number;
  /** A directory to keep the data in (npm start); default: memory, gone on stop. */
  dataDir?: string;
  /** The port to listen on; default: a free one the kernel picks. */
  port?: number;
}

const START_TIMEOUT_MS = 60_000;

/*
 * The worker's code, as a string: it must run as plain Node CommonJS, not through a test runner's module
 * system (jest's VM refuses the dynamic imports of Node built-ins that PGlite makes), and a worker thread
 * keeps PGlite's WebAssembly off this thread, so an HNSW build over many chunks never stalls the test's
 * own timers and clients. The module paths come resolved from the parent.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
const { vector } = require(workerData.pgvector);
const { PGLiteSocketServer } = require(workerData.socket);
(async () => {
  const db = await PGlite.create({ ...(workerData.dataDir ? { dataDir: workerData.dataDir } : {}), extensions: { vector } });
  // The server's queue keeps one connection's messages together only inside BEGIN ... COMMIT. An
  // extended-protocol query (Parse, Bind, Describe, Execute, Sync) outside one whose messages arrive in
  // separate reads (a large Bind) lets another connection's Parse run in between and replace its unnamed
  // statement: "bind message supplies 9 parameters, but prepared statement "" requires 1". Seen as a
  // transaction until its Sync, the query keeps its connection's turn.
  let inExtendedQuery = false;
  const EXTENDED = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]); // P B D E C H
  const guarded = new Proxy(db, {
    get(target, key) {
      if (key === 'isInTransaction') return () => inExtendedQuery || target.isInTransaction();
      if (key === 'execProtocolRawStream')
        return (message, options) => {
          if (message[0] === 0x53 || message[0] === 0x51) inExtendedQuery = false; // Sync, Query
          else if (EXTENDED.has(message[0])) inExtendedQuery = true;
          return target.execProtocolRawStream(message, options);
        };
      // The server's ROLLBACK for a connection that went away mid-transaction ends its turn too.
      if (key === 'exec')
        return (...args) => {
          inExtendedQuery = false;
          return target.exec(...args);
        };
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const server = new PGLiteSocketServer({
    db: guarded, host: '127.0.0.1', port: workerData.port, maxConnections: workerData.maxConnections,
  });
  await server.start();
  parentPort.once('message', async () => {
    await server.stop();
    await db.close();
    parentPort.postMessage({ stopped: true });
  });
  parentPort.postMessage({ port: Number(server.getServerConn().split(':').pop()) });
})().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
`;

/**
 * A fresh, in-memory PGlite with pgvector served over the PostgreSQL wire protocol on a free 127.0.0.1
 * port (the kernel's pick at listen time, so nothing can take it in between), in a worker thread of
 * this process: the vector store where the machine's PostgreSQL has no pgvector. Any `pg` client (and
 * so the retrieval service's driver) talks to it as to PostgreSQL. PGlite is a single backend: a
 * transaction open on one connection holds the others' queries until it ends (correct, but serialised).
 */
export async function startVectorStore(options: VectorStoreOptions = {}): Promise<VectorStore> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      pglite: require.resolve('@electric-sql/pglite'),
      pgvector: require.resolve('@electric-sql/pglite-pgvector'),
      socket: require.resolve('@electric-sql/pglite-socket'),
      maxConnections: options.maxConnections ?? 32,
      dataDir: options.dataDir,
      port: options.port ?? 0,
    },
  });
  const exited = once(worker, 'exit');
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`vector store: not listening within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      worker.once('message', (message: { port?: number; error?: string }) => {
        clearTimeout(timer);
        if (message.port) resolve(message.port);
        else reject(new Error(`vector store failed to start: ${message.error}`));
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () =>
      (stopped ??= (async () => {
        // A clean stop closes every client's socket and the listener; terminate is the fallback.
        let timer: NodeJS.Timeout | undefined;
        const done = once(worker, 'message');
        worker.postMessage('stop');
        await Promise.race([done, exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
        clearTimeout(timer);
        await worker.terminate();
      })()),
  };
}
