import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openAsBlob, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Stack, startStack } from '@parley/testing';
import { rssMb, sampleRss } from './process-stats';

/**
 * A large file through gateway and files (local disk provider) against a plain copy of the same bytes
 * to the same disk, in one run: upload then download, with SHA-256 checked end to end. Prints
 * throughput of both and each process's peak RSS above its idle RSS. Nothing may hold a whole file in
 * memory, so the RSS figures stay flat however large the file is.
 *
 *   npm run build && npx jest -c e2e/benchmarks/jest.config.js e2e/benchmarks/files-streaming.bench.ts
 *   BENCH_FILES_MB=1024 ... for the 1 GiB.
 */
const SIZE_MB = Number(process.env.BENCH_FILES_MB ?? '64');

/** The baseline, as its own process: write SIZE_MB of the pattern to `file`, then read it back, hashing both ways. */
const PLAIN_COPY = `
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { pipeline } = require('node:stream/promises');
const { Readable } = require('node:stream');
const [file, mb] = process.argv.slice(1);
const chunk = Buffer.alloc(1 << 20);
for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
let peak = 0; const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
const timer = setInterval(sample, 50);
(async () => {
  const t0 = process.hrtime.bigint();
  const up = createHash('sha256');
  await pipeline(Readable.from((function* () { for (let i = 0; i < Number(mb); i++) { up.update(chunk); yield chunk; } })()), fs.createWriteStream(file));
  const t1 = process.hrtime.bigint();
  const down = createHash('sha256');
  for await (const part of fs.createReadStream(file, { highWaterMark: 1 << 20 })) down.update(part);
  const t2 = process.hrtime.bigint();
  clearInterval(timer); sample();
  process.stdout.write(JSON.stringify({ sha: up.digest('hex'), readSha: down.digest('hex'), writeMs: Number(t1 - t0) / 1e6, readMs: Number(t2 - t1) / 1e6, peakMb: peak / 1048576 }));
})();
`;

describe('files streaming benchmark', () => {
  let stack: Stack;
  let token: string;

  beforeAll(async () => {
    stack = await startStack({ copies: { auth: 1, files: 1, gateway: 1 } });
    const gateway = stack.gatewayUrls[0]!;
    const signUp = await fetch(`${gateway}/api/v1/auths/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Bench',
        email: `bench-${Date.now()}@example.com`,
        password: 'correct horse battery',
      }),
    });
    token = ((await signUp.json()) as { token: string }).token;
  }, 120_000);

  afterAll(() => stack?.stop());

  it(`moves ${SIZE_MB} MB up and down with the hash intact, in flat memory`, async () => {
    const gateway = stack.gatewayUrls[0]!;
    const source = join(stack.uploadDir, `bench-source-${process.pid}.bin`);
    // Baseline first: it also leaves the bytes on disk that the upload then streams from.
    const plain = spawnSync(process.execPath, ['-e', PLAIN_COPY, source, String(SIZE_MB)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const base = JSON.parse(plain.stdout) as {
      sha: string;
      readSha: string;
      writeMs: number;
      readMs: number;
      peakMb: number;
    };
    expect(base.readSha).toBe(base.sha);

    const pids = {
      gateway: stack.services.gateway![0]!.child.pid!,
      files: stack.services.files![0]!.child.pid!,
    };
    const idle = { gateway: rssMb(pids.gateway), files: rssMb(pids.files) };

    // Upload: a file-backed Blob, so this process streams it too.
    let sampler = sampleRss(pids);
    const form = new FormData();
    form.append('file', await openAsBlob(source), 'bench.bin');
    const t0 = performance.now();
    const uploaded = await fetch(`${gateway}/api/v1/files/?process=false`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const uploadMs = performance.now() - t0;
    const uploadPeak = sampler.stop();
    expect(uploaded.status).toBe(200);
    const file = (await uploaded.json()) as { id: string; hash: string; meta: { size: number } };
    expect(file.meta.size).toBe(SIZE_MB << 20);
    expect(file.hash).toBe(base.sha);

    // Download, hashing as it arrives.
    sampler = sampleRss(pids);
    const t1 = performance.now();
    const downloaded = await fetch(`${gateway}/api/v1/files/${file.id}/content?attachment=true`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(downloaded.status).toBe(200);
    const hash = createHash('sha256');
    let bytes = 0;
    await pipeline(Readable.fromWeb(downloaded.body as never), async function* (chunks) {
      for await (const chunk of chunks as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        hash.update(chunk);
      }
      yield* [];
    });
    const downloadMs = performance.now() - t1;
    const downloadPeak = sampler.stop();
    expect(bytes).toBe(SIZE_MB << 20);
    expect(hash.digest('hex')).toBe(base.sha);
    rmSync(source, { force: true });

    const mbps = (ms: number) => (SIZE_MB / (ms / 1000)).toFixed(1);
    const above = (peak: Record<string, number>, name: 'gateway' | 'files') =>
      (peak[name]! - idle[name]).toFixed(1);
    process.stdout.write(
      [
        `\nfiles streaming, ${SIZE_MB} MB, local disk provider (one gateway, one files copy)`,
        '| path | upload MB/s | download MB/s | peak RSS above idle (MB) |',
        '| --- | --- | --- | --- |',
        `| plain copy (baseline) | ${mbps(base.writeMs)} | ${mbps(base.readMs)} | whole process peak ${base.peakMb.toFixed(1)} |`,
        `| gateway → files | ${mbps(uploadMs)} | ${mbps(downloadMs)} | gateway ${above(uploadPeak, 'gateway')} up / ${above(downloadPeak, 'gateway')} down; files ${above(uploadPeak, 'files')} up / ${above(downloadPeak, 'files')} down |`,
        `| ratio to baseline | ${(base.writeMs / uploadMs).toFixed(2)} | ${(base.readMs / downloadMs).toFixed(2)} | idle: gateway ${idle.gateway.toFixed(0)}, files ${idle.files.toFixed(0)} |`,
        '',
      ].join('\n'),
    );
  });
});
