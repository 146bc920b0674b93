#!/usr/bin/env node
// `node charts/parley/test/run-helm.js <helm args...>`: runs the same helm the tests use
// (see helm-binary.ts), for the Nx lint target and for people without helm installed.
// helm-binary.ts is transpiled in memory with @swc/core, which the workspace already has.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

function load(tsFile) {
  const { code } = transformSync(fs.readFileSync(tsFile, 'utf8'), {
    filename: tsFile,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  const mod = new Module(tsFile, module);
  mod.filename = tsFile;
  mod.paths = Module._nodeModulePaths(path.dirname(tsFile));
  mod._compile(code, tsFile);
  return mod.exports;
}

const { helmBinary } = load(path.join(__dirname, 'helm-binary.ts'));
const { spawnSync } = require('node:child_process');
const result = spawnSync(helmBinary(), process.argv.slice(2), { stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
