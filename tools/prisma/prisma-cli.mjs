// Runs the Prisma CLI offline: engine paths point at an existing file (the clients we generate use the
// query compiler and need no engine), and the JS schema engine does schema work through tools/prisma/prisma.config.ts.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export function prisma(args, { capture = false } = {}) {
  const result = spawnSync(process.execPath, [resolve('node_modules/prisma/build/index.js'), ...args], {
    stdio: ['ignore', capture ? 'pipe' : 'inherit', 'pipe'],
    encoding: 'utf8',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
  if (result.status !== 0) {
    throw new Error(`prisma ${args.join(' ')} failed:\n${result.stderr}`);
  }
  return result.stdout ?? '';
}

/** SQL that turns the `from` datamodel (or an empty database) into the `to` datamodel. */
export function diffSql(toSchema, fromSchema) {
  const from = fromSchema ? ['--from-schema-datamodel', fromSchema] : ['--from-empty'];
  return prisma(
    [
      'migrate',
      'diff',
      '--config',
      'tools/prisma/prisma.config.ts',
      ...from,
      '--to-schema-datamodel',
      toSchema,
      '--script',
    ],
    { capture: true },
  );
}
