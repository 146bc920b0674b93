import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startVectorStore } from './vector-store';

/**
 * `node dist/libs/testing/src/vector-store.cli.js <port> <data dir>`: the PGlite + pgvector store that
 * `npm start` runs when the loopback PostgreSQL has no pgvector (the same server the tests use, whose
 * queue keeps each query of a connection whole). Stops cleanly on SIGTERM or SIGINT.
 */
async function main(): Promise<void> {
  const [portText, dir] = process.argv.slice(2);
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535 || !dir) {
    console.error('usage: vector-store.cli.js <port> <data dir>');
    process.exit(2);
  }
  const dataDir = resolve(dir);
  mkdirSync(dataDir, { recursive: true });
  const store = await startVectorStore({ port, dataDir, maxConnections: 64 });
  console.log(`vector store (PGlite + pgvector) listening on ${store.url}, data in ${dataDir}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await store.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`vector store failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
