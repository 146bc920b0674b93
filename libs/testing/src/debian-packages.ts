import { execSync } from 'node:child_process';

/**
 * Installs Debian packages a test needs and a fresh machine lacks (slapd, chromium). Tries without
 * refreshing the package lists first; a machine that never ran `apt-get update` gets one.
 */
export function aptInstall(packages: string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  try {
    execSync(install, { stdio: 'ignore', env, timeout: 600_000 });
  } catch {
    execSync(`apt-get update && ${install}`, { stdio: 'ignore', env, shell: '/bin/bash', timeout: 900_000 });
  }
}
