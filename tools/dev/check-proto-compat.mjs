// Checks that the protobuf contracts stay wire- and JSON-compatible (buf breaking, WIRE_JSON rules in
// proto/buf.yaml) with a base commit: during a rolling upgrade copies of two versions call each other,
// so a field may be added, but not renumbered, retyped or deleted without `reserved`.
//
// The base: PROTO_BASE_REF if set; else where this branch left main (git merge-base with origin/main,
// or main); on main itself (CI's fresh clone), the commit before HEAD. docs/contracts.md explains.
import { execFileSync, spawnSync } from 'node:child_process';

const git = (...args) =>
  execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const tryGit = (...args) => {
  try {
    return git(...args);
  } catch {
    return '';
  }
};

const head = tryGit('rev-parse', 'HEAD');
if (!head) {
  console.log('proto compatibility: not a git checkout, nothing to compare against; skipped.');
  process.exit(0);
}
let base = process.env.PROTO_BASE_REF ?? '';
if (!base) {
  for (const upstream of ['origin/main', 'main']) {
    const mergeBase = tryGit('merge-base', 'HEAD', upstream);
    if (mergeBase && mergeBase !== head) {
      base = mergeBase;
      break;
    }
  }
}
if (!base) base = tryGit('rev-parse', 'HEAD~1');
if (!base) {
  console.log('proto compatibility: the first commit, nothing to compare against; skipped.');
  process.exit(0);
}
const root = git('rev-parse', '--show-toplevel');
console.log(`proto compatibility: proto/ at HEAD against ${base.slice(0, 12)} (buf breaking, WIRE_JSON)`);
const result = spawnSync('npx', ['buf', 'breaking', '--against', `${root}/.git#ref=${base},subdir=proto`], {
  cwd: `${root}/proto`,
  stdio: 'inherit',
});
if (result.status !== 0)
  console.error(
    'A contract change is not wire/JSON compatible: reserve removed fields (numbers and names), add new ' +
      'fields with new numbers, and never change a field type. See docs/contracts.md.',
  );
process.exit(result.status ?? 1);
