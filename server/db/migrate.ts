// Plain-SQL migrations (prisma/migrations/NNNN_name/migration.sql), applied in name order at
// start. Why not `prisma migrate`: it needs Prisma's schema-engine binary, which cannot be
// downloaded here, and a web process should not shell out to a CLI to start (docs/database.md).
//
// Each migration runs in its own transaction together with its bookkeeping row
// (_proofhub_migrations: name, SHA-256 checksum). A session advisory lock serializes concurrent
// starts of several web instances on one PostgreSQL. An applied migration whose file has changed
// stops the start: migrations are append-only.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlConnection, SqlPool } from './sql';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** pg_advisory_lock key: "proofhub" as ASCII fits in 64 bits. */
const MIGRATION_LOCK_KEY = '8100417018773087586';

const NAME_PATTERN = /^\d{4}_[a-z0-9_]+$/;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory() && NAME_PATTERN.test(entry.name)).map((entry) => entry.name).sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
    migrations.push({ name, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: string[];
}

/** Applies every migration not yet applied, in order. Idempotent. */
export async function applyMigrations(pool: SqlPool, migrations: readonly Migration[]): Promise<MigrationReport> {
  return pool.withConnection(async (connection) => {
    await connection.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      return await applyLocked(connection, migrations);
    } finally {
      await connection.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    }
  });
}

async function applyLocked(connection: SqlConnection, migrations: readonly Migration[]): Promise<MigrationReport> {
  await connection.exec(`CREATE TABLE IF NOT EXISTS _proofhub_migrations (
    name       text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const rows = await connection.query<{ name: string; checksum: string }>('SELECT name, checksum FROM _proofhub_migrations ORDER BY name');
  const applied = new Map(rows.map((row) => [row.name, row.checksum]));
  const known = new Set(migrations.map((migration) => migration.name));
  for (const name of applied.keys()) {
    if (!known.has(name)) throw new MigrationError(`the database has migration ${name}, which this code does not know: it is newer than this code`);
  }
  const report: MigrationReport = { applied: [], alreadyApplied: [] };
  for (const migration of migrations) {
    const checksum = applied.get(migration.name);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new MigrationError(`migration ${migration.name} changed after it was applied (checksum ${checksum.slice(0, 12)}… in the database, ${migration.checksum.slice(0, 12)}… on disk); add a new migration instead`);
      }
      report.alreadyApplied.push(migration.name);
      continue;
    }
    await connection.exec('BEGIN');
    try {
      await connection.exec(migration.sql);
      await connection.query('INSERT INTO _proofhub_migrations (name, checksum) VALUES ($1, $2)', [migration.name, migration.checksum]);
      await connection.exec('COMMIT');
    } catch (error) {
      await connection.exec('ROLLBACK');
      throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`);
    }
    report.applied.push(migration.name);
  }
  return report;
}
