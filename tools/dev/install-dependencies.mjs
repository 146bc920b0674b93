// Installs the npm dependencies when they are missing or older than package-lock.json.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

export function ensureDependencies() {
  const marker = 'node_modules/.package-lock.json';
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync('package-lock.json').mtimeMs) return;
  console.log('Installing dependencies (npm install, versions from package-lock.json)...');
  // Not `npm ci`: npm 11 writes lock files without the other platforms' optional packages (swc, buf,
  // rollup binaries) and then `npm ci` refuses them as out of sync. `npm install` installs the
  // locked versions all the same. No dependency's install script is needed: every native part
  // ships prebuilt (see README).
  execSync('npm install --no-audit --no-fund --loglevel=error', { stdio: 'inherit' });
}
