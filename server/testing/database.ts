// Real databases for tests: PGlite in a temp dir by default; PostgreSQL when
// PROOFHUB_TEST_DB=postgres (npm run test:pg), one fresh database per call on the server named by
// PG_TEST_URL. PGlite's first start (initdb) takes seconds, so a migrated template folder is built
// once per migration set and copied for each test.
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openDatabase } from '../db/database';
import type { Database, DatabaseConfig } from '../db/database';
import { applyMigrations, readMigrations } from '../db/migrate';

export type TestDatabaseKind = 'pglite' | 'postgres';

export function testDatabaseKind(): TestDatabaseKind {
  return process.env.PROOFHUB_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
}

export interface TestDatabase {
  db: Database;
  config: DatabaseConfig;
  /** Closes the database and deletes its folder or PostgreSQL database. */
  destroy(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function pgliteTemplate(): Promise<string> {
  const migrations = await readMigrations();
  const key = createHash('sha256').update(migrations.map((m) => `${m.name}:${m.checksum}`).join('\n')).digest('hex').slice(0, 16);
  const template = join(tmpdir(), `proofhub-pglite-template-${key}`);
  if (await exists(join(template, 'PG_VERSION'))) return template;
  const building = `${template}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const db = await PGlite.create(building);
  await applyMigrations({ withConnection: (fn) => fn({ exec: async (sql) => void (await db.exec(sql)), query: async (sql, params = []) => (await db.query<never>(sql, params)).rows }) }, migrations);
  await db.close();
  try {
    await rename(building, template); // atomic: parallel test workers race here, one wins
  } catch {
    await rm(building, { recursive: true, force: true });
  }
  return template;
}

/** A PGlite folder copied from the migrated template: at `target`, or in a new temp dir. */
export async function createPgliteDir(target?: string): Promise<string> {
  const template = await pgliteTemplate();
  const folder = target ?? join(await mkdtemp(join(tmpdir(), 'proofhub-test-')), 'pglite');
  await cp(template, folder, { recursive: true });
  return folder;
}

/** A fresh, empty PostgreSQL database on the PG_TEST_URL server; returns its URL. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = process.env.PG_TEST_URL;
  if (base === undefined || base === '') throw new Error('PROOFHUB_TEST_DB=postgres needs PG_TEST_URL (postgres://user:pass@host:port/db)');
  const name = `proofhub_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function createTestDatabase(kind: TestDatabaseKind = testDatabaseKind()): Promise<TestDatabase> {
  if (kind === 'postgres') {
    const { url, drop } = await createPostgresDatabase();
    const config: DatabaseConfig = { kind: 'postgres', url };
    const db = await openDatabase(config);
    return {
      db,
      config,
      destroy: async () => {
        await db.close();
        await drop();
      },
    };
  }
  const dir = await createPgliteDir();
  const config: DatabaseConfig = { kind: 'pglite', dir };
  const db = await openDatabase(config);
  return {
    db,
    config,
    destroy: async () => {
      await db.close();
      await rm(join(dir, '..'), { recursive: true, force: true });
    },
  };
}
