#!/usr/bin/env node
// Runs after `vite build`: prints every JS asset's gzipped size and fails when
// the JS a first visit must load (the entry chunk named in index.html plus
// everything it imports statically, transitively) is over the budget.
// Lazy chunks (dynamic import()) do not count toward the budget.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 250 * 1000; // 250 kB gzipped (kB = 1000 bytes, as Vite reports sizes)
const distDir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/** @param {string} dir @returns {string[]} paths relative to distDir, with forward slashes */
function listJs(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => relative(distDir, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

/** @param {string} file */
const gzipSize = (file) => gzipSync(readFileSync(join(distDir, file)), { level: 9 }).length;
/** @param {number} bytes */
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

let html;
try {
  html = readFileSync(join(distDir, 'index.html'), 'utf8');
} catch {
  console.error(`check-bundle-size: no build at ${distDir} (run vite build first)`);
  process.exit(1);
}

// Roots: the module script(s) and modulepreload links Vite wrote into index.html.
const roots = [
  ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
].map((match) => (match[1] ?? '').replace(/^\//, ''));

// Static imports in minified chunks look like `import{a as b}from"./x-123.js"` or `import"./y.js"`;
// `import("./z.js")` (lazy) does not match because of the parenthesis.
const STATIC_IMPORT = /\bimport\s*(?:[\w$*{}\s,]*?\bfrom\s*)?["']([^"']+\.js)["']/g;
const initial = new Set();
const queue = [...roots];
while (queue.length > 0) {
  const file = /** @type {string} */ (queue.pop());
  if (initial.has(file)) continue;
  initial.add(file);
  const code = readFileSync(join(distDir, file), 'utf8');
  for (const [, spec] of code.matchAll(STATIC_IMPORT)) {
    if (!spec || !spec.startsWith('.')) continue;
    queue.push(posix.normalize(posix.join(posix.dirname(file), spec)));
  }
}

if (initial.size === 0) {
  console.error('check-bundle-size: found no entry script in index.html');
  process.exit(1);
}

let initialTotal = 0;
console.log('JS assets (gzipped):');
for (const file of listJs(distDir).sort()) {
  const size = gzipSize(file);
  const isInitial = initial.has(file);
  if (isInitial) initialTotal += size;
  console.log(`  ${kb(size).padStart(10)}  ${file}${isInitial ? '  (initial)' : ''}`);
}

const verdict = initialTotal <= BUDGET_BYTES ? 'ok' : 'OVER BUDGET';
console.log(`Initial JS: ${kb(initialTotal)} gzipped, budget ${kb(BUDGET_BYTES)}: ${verdict}`);
if (initialTotal > BUDGET_BYTES) process.exit(1);
