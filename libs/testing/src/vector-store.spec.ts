import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { startVectorStore, type VectorStore } from './vector-store';
import { tcpAnswers } from './test-infrastructure';

async function nearestFirst(store: VectorStore): Promise<string[]> {
  const client = new Client({ connectionString: store.url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    await client.query('CREATE TABLE chunk (name text PRIMARY KEY, embedding vector(3) NOT NULL)');
    await client.query('CREATE INDEX ON chunk USING hnsw (embedding vector_cosine_ops)');
    await client.query(
      `INSERT INTO chunk VALUES ('far', '[0,0,1]'), ('near', '[0.9,0.1,0]'), ('middle', '[0.5,0.5,0.5]')`,
    );
    const { rows } = await client.query<{ name: string }>(
      `SELECT name FROM chunk ORDER BY embedding <=> $1::vector`,
      ['[1,0,0]'],
    );
    return rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}

describe('startVectorStore', () => {
  it('serves pgvector over the wire protocol, orders by cosine distance, and frees its port on stop', async () => {
    const sut = await startVectorStore();
    try {
      expect(sut.url).toBe(`postgres://postgres@127.0.0.1:${sut.port}/postgres`);
      expect(await nearestFirst(sut)).toEqual(['near', 'middle', 'far']);
    } finally {
      await sut.stop();
    }
    expect(await tcpAnswers('127.0.0.1', sut.port)).toBe(false);
  }, 60_000);

  it('gives each store its own empty database, and serves several connections at once', async () => {
    const [a, b] = await Promise.all([startVectorStore(), startVectorStore()]);
    try {
      expect(a.port).not.toBe(b.port);
      await nearestFirst(a);
      const clients = Array.from({ length: 3 }, () => new Client({ connectionString: b.url }));
      await Promise.all(clients.map((client) => client.connect()));
      try {
        const counts = await Promise.all(
          clients.map((client) =>
            client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'chunk'`),
          ),
        );
        expect(counts.map((result) => result.rows[0]!.n)).toEqual([0, 0, 0]);
      } finally {
        await Promise.all(clients.map((client) => client.end()));
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 60_000);
  it("keeps a connection's extended-protocol query whole while other connections query at once", async () => {
    // A 2 MB parameter makes the Bind arrive in several reads after its Parse: unguarded, another
    // connection's Parse runs in between ("bind message supplies 1 parameters, but prepared statement
    // "" requires 4", about once in 240 queries here). Each client its own parameter count, so a
    // statement mixed up with another's cannot pass unnoticed.
    const sut = await startVectorStore();
    const clients = Array.from({ length: 4 }, () => new Client({ connectionString: sut.url }));
    const big = 'x'.repeat(2_000_000);
    try {
      await Promise.all(clients.map((client) => client.connect()));
      const outcomes = await Promise.all(
        clients.map(async (client, c) => {
          const seen: string[] = [];
          for (let i = 0; i < 60; i++) {
            const params = Array.from({ length: c + 1 }, (_, p) => (c === 0 ? big : `${c}:${i}:${p}`));
            const want = createHash('md5').update(params.join(',')).digest('hex');
            const sql = `SELECT md5(concat_ws(',', ${params.map((_, p) => `$${p + 1}::text`).join(', ')})) AS v`;
            const outcome = await client.query<{ v: string }>(sql, params).then(
              ({ rows }) => (rows[0]?.v === want ? 'ok' : `wrong rows: ${JSON.stringify(rows)}`),
              (error: Error) => error.message,
            );
            seen.push(outcome);
          }
          return seen;
        }),
      );
      expect(outcomes.flat().filter((outcome) => outcome !== 'ok')).toEqual([]);
      expect(outcomes.flat()).toHaveLength(240);
    } finally {
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
      await sut.stop();
    }
  }, 120_000);
});
