import { DomainError, ErrorKind } from '@parley/errors';
import type { Logger } from '@parley/logging';
import type { ModelGatewayConfig } from '../model-gateway.config';
import { QuotaService } from '../quotas/quota.service';
import type { RequestWindowRepository } from '../quotas/request-window.repository';
import { errorText, UsageAccumulator, UsageClock, UsageCounts, UsageSink } from './usage-accumulator';
import type { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

/** Time stands still and the flush timer ticks only when the test says so. */
class ManualClock implements UsageClock {
  at = new Date();
  readonly intervals: number[] = [];
  private ticks: Array<() => void> = [];
  now = () => this.at;
  every(ms: number, tick: () => void): () => void {
    this.intervals.push(ms);
    this.ticks.push(tick);
    return () => (this.ticks = this.ticks.filter((t) => t !== tick));
  }
  tick(): void {
    for (const tick of this.ticks) tick();
  }
  get ticking(): boolean {
    return this.ticks.length > 0;
  }
}

/** Records every batch; fails while `failing`, holds a write open while `hold` is set. */
class RecordingSink implements UsageSink {
  readonly batches: UsageCounts[][] = [];
  failing = false;
  hold?: Promise<void>;
  async addMany(rows: UsageCounts[]): Promise<void> {
    if (this.hold) await this.hold;
    if (this.failing)
      throw new Error('connect ECONNREFUSED postgres://parley:hunter2@db.internal:5432/parley');
    this.batches.push(rows.map((r) => ({ ...r })));
  }
}

function fakeLogger() {
  const lines: Array<{ level: string; fields: unknown; message: string }> = [];
  const at =
    (level: string) =>
    (fields: unknown, message = '') =>
      lines.push({ level, fields, message });
  const logger = { info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger;
  return { logger, lines };
}

const tokens = (prompt: number, completion: number, estimated = false) => ({
  promptTokens: prompt,
  completionTokens: completion,
  estimated,
});

describe('UsageAccumulator', () => {
  let clock: ManualClock;
  let sink: RecordingSink;
  let log: ReturnType<typeof fakeLogger>;
  let sut: UsageAccumulator;

  beforeEach(() => {
    clock = new ManualClock();
    clock.at = new Date('2026-12-06T12:00:00Z');
    sink = new RecordingSink();
    log = fakeLogger();
    sut = new UsageAccumulator(sink, log.logger, { USAGE_FLUSH_INTERVAL_MS: 1000 }, clock);
    sut.onApplicationBootstrap();
  });

  it('sums completions per user, day and model and writes them in one batch per tick', async () => {
    expect(clock.intervals).toEqual([1000]);
    sut.add('u1', 'gpt', tokens(3, 4));
    sut.add('u1', 'gpt', tokens(2, 5, true));
    sut.add('u1', 'other', tokens(1, 1));
    sut.add('u2', 'gpt', tokens(10, 20));
    clock.at = new Date('2026-12-07T00:00:01Z'); // a new UTC day: a row of its own
    sut.add('u1', 'gpt', tokens(7, 7));
    expect(sink.batches).toEqual([]); // nothing is written on the response path

    clock.tick();
    expect(await sut.flush()).toBe(true);
    expect(sink.batches).toEqual([
      [
        row('u1', '2026-12-06', 'gpt', 5, 9, 2, 1),
        row('u1', '2026-12-06', 'other', 1, 1, 1, 0),
        row('u1', '2026-12-07', 'gpt', 7, 7, 1, 0),
        row('u2', '2026-12-06', 'gpt', 10, 20, 1, 0),
      ],
    ]);
    expect(sut.size()).toBe(0);

    // A tick with nothing new writes nothing; the next completion goes in the next batch.
    clock.tick();
    await sut.flush();
    expect(sink.batches).toHaveLength(1);
    sut.add('u2', 'gpt', tokens(1, 2));
    clock.tick();
    await sut.flush();
    expect(sink.batches[1]).toEqual([row('u2', '2026-12-07', 'gpt', 1, 2, 1, 0)]);
  });

  it('keeps a failed batch and writes it, with what came since, on the next tick; logs no password', async () => {
    sut.add('u1', 'gpt', tokens(3, 4));
    sink.failing = true;
    clock.tick();
    expect(await sut.flush()).toBe(false);
    expect(sink.batches).toEqual([]);
    expect(sut.unwrittenTokens('u1', '2026-12-06')).toBe(7);
    const warning = log.lines.find((l) => l.level === 'warn')!;
    expect(warning.message).toMatch(/could not write usage/);
    expect(JSON.stringify(warning.fields)).toContain('ECONNREFUSED');
    expect(JSON.stringify(log.lines)).not.toContain('hunter2');

    sut.add('u1', 'gpt', tokens(1, 1, true));
    sink.failing = false;
    clock.tick();
    expect(await sut.flush()).toBe(true);
    expect(sink.batches).toEqual([[row('u1', '2026-12-06', 'gpt', 4, 5, 2, 1)]]);
    expect(log.lines.some((l) => l.level === 'info' && /written again/.test(l.message))).toBe(true);
  });

  it('writes what is left on shutdown and stops ticking', async () => {
    sut.add('u1', 'gpt', tokens(3, 4));
    await sut.beforeApplicationShutdown();
    expect(clock.ticking).toBe(false);
    expect(sink.batches).toEqual([[row('u1', '2026-12-06', 'gpt', 3, 4, 1, 0)]]);
  });

  it('retries the last write on shutdown a few times, then says the counts are lost', async () => {
    sut.add('u1', 'gpt', tokens(3, 4));
    sink.failing = true;
    await sut.beforeApplicationShutdown();
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(3);
    expect(log.lines.find((l) => l.level === 'error')?.message).toMatch(/counts are lost/);
  });

  it('counts a batch being written as unwritten until the write has finished, and joins a running flush', async () => {
    let release!: () => void;
    sink.hold = new Promise<void>((resolve) => (release = resolve));
    sut.add('u1', 'gpt', tokens(3, 4));
    clock.tick();
    const first = sut.flush(); // joins the tick's flush
    sut.add('u1', 'gpt', tokens(1, 0)); // arrives while the batch is on its way
    expect(sut.unwrittenTokens('u1', '2026-12-06')).toBe(8);
    expect(sut.unwrittenTokens('u2', '2026-12-06')).toBe(0);
    expect(sut.unwrittenTokens('u1', '2026-12-05')).toBe(0);
    release();
    expect(await first).toBe(false); // the late completion is still pending
    expect(sink.batches).toEqual([[row('u1', '2026-12-06', 'gpt', 3, 4, 1, 0)]]);
    expect(sut.unwrittenTokens('u1', '2026-12-06')).toBe(1);
  });

  it('describes an error without a URL password', () => {
    const error = Object.assign(new Error('no route to postgresql://u:s3cret@h/db'), { code: 'P1001' });
    expect(errorText(error)).toBe('Error (P1001): no route to postgresql://u:[redacted]@h/db');
  });
});

describe('token quota with usage not written yet', () => {
  it('refuses once this copy’s unwritten usage reaches the limit, before any flush', async () => {
    const clock = new ManualClock();
    const sink = new RecordingSink();
    const { logger } = fakeLogger();
    const accumulator = new UsageAccumulator(sink, logger, { USAGE_FLUSH_INTERVAL_MS: 1000 }, clock);
    let written = 0;
    const repository = {
      tokensOn: async () => written,
      limitsFor: async () => [
        {
          subject: 'group',
          subjectId: 'g1',
          requestsPerMinute: null,
          tokensPerDay: 10,
          updatedAt: new Date(),
        },
      ],
    } as unknown as UsageRepository;
    const usage = new UsageService(repository, accumulator);
    const quotas = new QuotaService(
      repository,
      usage,
      {} as RequestWindowRepository,
      { USAGE_DEFAULT_TOKENS_PER_DAY: 0, USAGE_DEFAULT_REQUESTS_PER_MINUTE: 0 } as ModelGatewayConfig,
      logger,
    );
    const caller = { userId: 'u1', role: 'user', groupIds: ['g1'] };

    written = 4; // what PostgreSQL has (e.g. from another copy)
    usage.record('u1', 'gpt', tokens(2, 3));
    expect(await usage.tokensToday('u1')).toBe(9);
    await expect(quotas.admit(caller)).resolves.toBeUndefined();

    usage.record('u1', 'gpt', tokens(1, 0));
    const refused = await quotas.admit(caller).then(
      () => undefined,
      (e: unknown) => e as DomainError,
    );
    expect(refused?.kind).toBe(ErrorKind.RateLimited);
    expect(refused?.message).toContain('you have used 10 of 10 tokens per day');
    expect(sink.batches).toEqual([]);
  });
});

function row(
  userId: string,
  day: string,
  modelId: string,
  promptTokens: number,
  completionTokens: number,
  requests: number,
  estimatedRequests: number,
): UsageCounts {
  return { userId, modelId, day, promptTokens, completionTokens, requests, estimatedRequests };
}
