// Writes the gateway's OpenAPI document to a file without starting the gateway: bundles its route
// contracts (services/gateway/src/**/*.contract.ts, through contract/gateway-routes.ts) with esbuild,
// which resolves the @parley/* paths of tsconfig.base.json, and prints the document they declare.
// Usage: node tools/rest/write-openapi.mjs <out.json>   (the web app's `generate` target runs it)
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = process.argv[2];
if (!out) {
  console.error('usage: node tools/rest/write-openapi.mjs <out.json>');
  process.exit(2);
}

// Inside the workspace, so the bundle's external packages resolve from its node_modules.
mkdirSync(join(root, '.cache'), { recursive: true });
const dir = mkdtempSync(join(root, '.cache', 'openapi-'));
const bundle = join(dir, 'openapi.cjs');
try {
  await build({
    stdin: {
      contents: `
        export { GATEWAY_ROUTES } from './services/gateway/src/contract/gateway-routes';
        export { buildOpenApiDocument } from './services/gateway/src/contract/openapi-document';`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    tsconfig: join(root, 'tsconfig.base.json'),
    outfile: bundle,
    logLevel: 'warning',
  });
  const { GATEWAY_ROUTES, buildOpenApiDocument } = createRequire(import.meta.url)(bundle);
  const document = buildOpenApiDocument(GATEWAY_ROUTES);
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(resolve(out), `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote ${out}: ${Object.keys(document.paths).length} paths`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
