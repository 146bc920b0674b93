// Prints the SQL that creates a schema.prisma from nothing (used by the migration drift test).
import { diffSql } from './prisma-cli.mjs';

process.stdout.write(diffSql(process.argv[2]));
