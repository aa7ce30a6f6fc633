#!/usr/bin/env node
// Generates Prisma Client into server/generated/prisma (gitignored). Run by `npm ci` through the
// root package's "prepare" script, and by `npm start` when the schema is newer than the client.
//
// Why the environment variable: the Prisma CLI wants its schema-engine binary on start-up and would
// download it from a host these machines cannot reach. `prisma generate` never runs that engine;
// it only checks that the path in PRISMA_SCHEMA_ENGINE_BINARY exists. Pointing it at this script
// (a file that always exists) lets generate work offline. Migrations do not use the engine either:
// they are plain SQL applied by server/db/migrate.ts (docs/database.md).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const prismaCli = createRequire(join(root, 'package.json')).resolve('prisma/build/index.js');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? fileURLToPath(import.meta.url),
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', join(root, 'prisma', 'schema.prisma')], {
  cwd: root,
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
process.exitCode = result.status ?? 1;
