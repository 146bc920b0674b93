// Generates a service's Prisma Client (TypeScript, query compiler, no native engine) offline.
import { join } from 'node:path';
import { prisma } from './prisma-cli.mjs';

const serviceRoot = process.argv[2];
if (!serviceRoot) {
  console.error('usage: node tools/prisma/generate-client.mjs services/<name>');
  process.exit(2);
}
prisma(['generate', '--schema', join(serviceRoot, 'prisma/schema.prisma')]);
