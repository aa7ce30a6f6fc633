// Opens the database: embedded PGlite in the data dir by default, PostgreSQL when DATABASE_URL is
// set. Both go through Prisma driver adapters (no query-engine binary), run the same SQL
// migrations, and hand the services one PrismaClient.
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client';
import { watchPool } from '../observability/metrics';
import { applyMigrations, readMigrations } from './migrate';
import type { MigrationReport } from './migrate';
import type { SqlConnection, SqlPool } from './sql';

export type DatabaseKind = 'pglite' | 'postgres';

// Interactive transactions (proof ingest, rebuild) wait for PGlite's single session or a pool
// connection; Prisma's defaults (2 s to start, 5 s to finish) are tight on a busy two-core machine.
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 20_000 };

/** poolMax: connections of this process's pg pool (DATABASE_POOL_MAX, default 10). */
/** onIdleError: an idle pooled connection died (server restart, terminated backend); see below. */
export type DatabaseConfig = { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string; poolMax?: number; onIdleError?: (error: Error) => void };

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  sql: SqlPool;
  migrations: MigrationReport;
  /** The embedded PGlite (for its maintenance job, server/db/pglite-vacuum.ts); null on PostgreSQL. */
  pglite: PGlite | null;
  close(): Promise<void>;
}

function pgliteConnection(db: PGlite): SqlConnection {
  return {
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <Row extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.query<Row>(sql, params)).rows,
  };
}

function pgConnection(client: pg.PoolClient): SqlConnection {
  return {
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <Row extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await client.query<Row>(sql, params)).rows,
  };
}

/** Opens, migrates and returns the database. On failure everything opened is closed again. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const migrations = await readMigrations();
  if (config.kind === 'pglite') {
    // PGlite is one in-process Postgres session: the migration runner and Prisma share it.
    const db = await PGlite.create(config.dir);
    const sql: SqlPool = { withConnection: (fn) => fn(pgliteConnection(db)) };
    try {
      const report = await applyMigrations(sql, migrations);
      const prisma = new PrismaClient({ adapter: new PrismaPGlite(db), transactionOptions: TRANSACTION_OPTIONS });
      return {
        kind: 'pglite',
        prisma,
        sql,
        migrations: report,
        pglite: db,
        close: async () => {
          await prisma.$disconnect();
          await db.close();
        },
      };
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  const pool = new pg.Pool({ connectionString: config.url, max: config.poolMax ?? 10 });
  const unwatch = watchPool('main', pool);
  // node-postgres emits the death of an *idle* client (PostgreSQL restarted, backend terminated) on
  // the pool and drops that client; the next query opens a fresh one. Unlistened, the 'error' event
  // would crash the web process, so it is only reported.
  pool.on('error', (error) => config.onIdleError?.(error));
  const sql: SqlPool = {
    withConnection: async (fn) => {
      const client = await pool.connect();
      try {
        return await fn(pgConnection(client));
      } finally {
        client.release();
      }
    },
  };
  try {
    const report = await applyMigrations(sql, migrations);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: TRANSACTION_OPTIONS });
    return {
      kind: 'postgres',
      prisma,
      sql,
      migrations: report,
      pglite: null,
      close: async () => {
        unwatch();
        await prisma.$disconnect();
        await pool.end();
      },
    };
  } catch (error) {
    unwatch();
    await pool.end();
    throw error;
  }
}
