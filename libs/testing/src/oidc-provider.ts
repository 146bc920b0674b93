import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { repoRoot } from './repo-root';

export interface OidcTestProvider {
  issuer: string;
  /** Open WebUI's OPENID_PROVIDER_URL: the discovery document. */
  discoveryUrl: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

/** Runs oidc-provider (a certified OpenID Provider implementation) on a free 127.0.0.1 port. */
export async function startOidcProvider(options: {
  redirectUris: string[];
  accounts: Record<string, Record<string, unknown>>;
}): Promise<OidcTestProvider> {
  const port = await freePort();
  const config = { port, clientId: 'parley-test', clientSecret: 'parley-test-secret-0123456789', ...options };
  const file = join(mkdtempSync(join(tmpdir(), 'parley-oidc-')), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const script = join(repoRoot(), 'libs/testing/src/oidc-provider/run-oidc-provider.mjs');
  const child: ChildProcess = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`oidc-provider did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready ')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`oidc-provider exited (${code}):\n${output}`)));
  });
  const issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    },
  };
}
