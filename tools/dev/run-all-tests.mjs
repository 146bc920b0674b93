// `npm test`: installs what is missing, generates, lints, type-checks, builds, starts what the tests
// need (the loopback PostgreSQL, Redis and NATS) and runs every unit, integration and end-to-end test.
// Ends with one line `tests: N passed, N failed` summed over every runner.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkDependencies, describeMissing } from './infrastructure.mjs';
import { ensureDependencies } from './install-dependencies.mjs';

process.env.NX_DAEMON = 'false';
process.env.NX_NO_CLOUD = 'true';
process.env.NX_TUI = 'false';
process.env.FORCE_COLOR ??= '0';
const started = Date.now();
const resultsDir = '.cache/test-results';
const failures = [];

function step(title, command) {
  const t0 = Date.now();
  console.log(`\n=== ${title}\n$ ${command}`);
  const result = spawnSync(command, { stdio: 'inherit', shell: '/bin/bash' });
  const seconds = ((Date.now() - t0) / 1000).toFixed(0);
  if (result.status !== 0) {
    failures.push(title);
    console.log(`=== ${title}: FAILED (${seconds}s)`);
  } else {
    console.log(`=== ${title}: ok (${seconds}s)`);
  }
  return result.status === 0;
}

ensureDependencies();
rmSync(resultsDir, { recursive: true, force: true });

const missing = await checkDependencies({ start: true });
if (missing.length) {
  console.error(`These services are needed by the tests and do not answer:\n${describeMissing(missing)}`);
  process.exit(1);
}

const nx = 'npx nx run-many --outputStyle=stream --parallel=2';
const built = step(
  'generate, lint, type-check and build every project',
  `${nx} -t generate lint typecheck build`,
);
step('contract compatibility (buf breaking against the base commit)', 'node tools/dev/check-proto-compat.mjs');
step('unit tests (services, libraries, web components, Helm chart)', `${nx} -t test`);
if (built) {
  step('integration tests (real PostgreSQL, Redis and NATS)', `${nx} -t integration-test --parallel=1`);
  step('end-to-end tests (every service as its own process)', 'npx nx run e2e:e2e --outputStyle=stream');
  // Small default sizes (a minute in all): they keep the benchmarks working and print their figures
  // next to the same run's baseline. Full sizes: see e2e/benchmarks/README.md.
  step('benchmarks (small sizes)', 'npx nx run e2e:bench --outputStyle=stream');
} else {
  console.log('\nSkipping integration and end-to-end tests: the build failed.');
}

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(resultsDir)) {
  for (const file of readdirSync(resultsDir)) {
    const summary = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    passed += summary.numPassedTests ?? 0;
    failed += summary.numFailedTests ?? 0;
    skipped += summary.numPendingTests ?? 0;
    if (summary.numRuntimeErrorTestSuites) failed += summary.numRuntimeErrorTestSuites;
  }
}
if (failures.length && failed === 0) failed = failures.length; // a step failed outside any test
const minutes = ((Date.now() - started) / 60000).toFixed(1);
console.log(
  `\n${failures.length ? `Failed steps: ${failures.join('; ')}` : 'Every step passed'} (${minutes} min)`,
);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failures.length ? 1 : 0);
