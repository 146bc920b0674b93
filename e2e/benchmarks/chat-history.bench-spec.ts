import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startStack, Stack } from '@parley/testing';
import { request, signUp, SignedUp } from '../src/support/http';

const CHATS = Number(process.env.BENCH_CHATS ?? 1_000);
const MESSAGES_PER_CHAT = 20;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);

const WORDS = [
  'deploy',
  'helm',
  'rollout',
  'soup',
  'tomato',
  'invoice',
  'budget',
  'python',
  'regex',
  'kafka',
];

/** Chats and message rows written with set-based SQL: seeding 200,000 messages takes seconds. */
async function seed(databaseUrl: string, userId: string, chats: number): Promise<string[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO chat.chats (id, user_id, title, current_message_id, message_count, created_at, updated_at)
       SELECT gen_random_uuid(), $1::uuid, 'chat ' || i || ' about ' || ($2::text[])[1 + i % 10], 'm' || ($3::int - 1), $3,
              now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval
       FROM generate_series(1, $4::int) i RETURNING id::text AS id`,
      [userId, WORDS, MESSAGES_PER_CHAT, chats],
    );
    await db.query(
      `INSERT INTO chat.messages (chat_id, id, parent_id, role, content, timestamp)
       SELECT c.id, 'm' || j, CASE WHEN j = 0 THEN NULL ELSE 'm' || (j - 1) END,
              CASE WHEN j % 2 = 0 THEN 'user' ELSE 'assistant' END,
              repeat('lorem ipsum dolor sit amet ', 20) || ($2::text[])[1 + (j + length(c.title)) % 10] || ' ' || md5(c.id::text || j),
              extract(epoch FROM now())::bigint
       FROM chat.chats c CROSS JOIN generate_series(0, $3::int - 1) j WHERE c.user_id = $1::uuid`,
      [userId, WORDS, MESSAGES_PER_CHAT],
    );
    await db.query('ANALYZE chat.chats; ANALYZE chat.messages;');
    return rows.map((r) => r.id);
  } finally {
    await db.end();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(samples: number, op: (i: number) => Promise<{ status: number }>) {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    const { status } = await op(i);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (status !== 200) throw new Error(`benchmark request failed with ${status}`);
  }
  ms.sort((x, y) => x - y);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

describe('chat history benchmark', () => {
  let stack: Stack;
  let gateway: string;

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 1, gateway: 1 },
      env: { LOG_LEVEL: 'warn', DEFAULT_USER_ROLE: 'user' },
    });
    gateway = stack.gatewayUrls[0]!;
  });

  afterAll(() => stack?.stop());

  it(`prints p50/p99 for ${CHATS} chats / ${CHATS * MESSAGES_PER_CHAT} messages next to 10 chats`, async () => {
    const big: SignedUp = await signUp(gateway, 'Big', `big-${randomUUID()}@example.com`);
    const small: SignedUp = await signUp(gateway, 'Small', `small-${randomUUID()}@example.com`);
    const seedStart = Date.now();
    const bigChats = await seed(stack.database.url, big.id, CHATS);
    const smallChats = await seed(stack.database.url, small.id, 10);
    const seedSeconds = (Date.now() - seedStart) / 1000;

    const measure = async (user: SignedUp, chats: string[]) => {
      const auth = { token: user.token };
      const pick = (i: number) => chats[(i * 7919) % chats.length]!;
      // Warm up connections and plans.
      for (let i = 0; i < 10; i++) await request(gateway, 'GET', `/api/v1/chats/${pick(i)}`, auth);
      return {
        'list page': await time(SAMPLES, (i) =>
          request(gateway, 'GET', `/api/v1/chats/?page=${1 + (i % 5)}`, auth),
        ),
        'open chat': await time(SAMPLES, (i) => request(gateway, 'GET', `/api/v1/chats/${pick(i)}`, auth)),
        'append message': await time(SAMPLES, (i) =>
          request(gateway, 'POST', `/api/v1/chats/${pick(i)}/messages`, {
            ...auth,
            body: {
              parent_id: `m${MESSAGES_PER_CHAT - 1}`,
              message: { role: 'user', content: `bench ${i}` },
            },
          }),
        ),
        search: await time(SAMPLES, (i) =>
          request(gateway, 'GET', `/api/v1/chats/search?text=${WORDS[i % WORDS.length]}`, auth),
        ),
      };
    };
    const bigFigures = await measure(big, bigChats);
    const smallFigures = await measure(small, smallChats);

    const lines = [
      `chat history benchmark: ${CHATS} chats / ${CHATS * MESSAGES_PER_CHAT} messages vs 10 chats / ${10 * MESSAGES_PER_CHAT} messages, ${SAMPLES} samples each, seeded in ${seedSeconds.toFixed(1)} s`,
      'operation        big p50   big p99   small p50  small p99  ratio p50  ratio p99',
    ];
    for (const op of Object.keys(bigFigures) as Array<keyof typeof bigFigures>) {
      const b = bigFigures[op];
      const s = smallFigures[op];
      lines.push(
        `${op.padEnd(15)} ${b.p50.toFixed(2).padStart(8)} ${b.p99.toFixed(2).padStart(9)} ${s.p50.toFixed(2).padStart(10)} ${s.p99.toFixed(2).padStart(10)} ${(b.p50 / s.p50).toFixed(2).padStart(10)} ${(b.p99 / s.p99).toFixed(2).padStart(10)}`,
      );
    }
    console.log(lines.join('\n'));
    // Appending and opening must not grow with the number of chats (generous bound for a noisy CI box).
    expect(bigFigures['append message'].p50).toBeLessThan(smallFigures['append message'].p50 * 3 + 5);
    expect(bigFigures['open chat'].p50).toBeLessThan(smallFigures['open chat'].p50 * 3 + 5);
  });
});
