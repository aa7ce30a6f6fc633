// Periodic VACUUM (ANALYZE) for embedded PGlite (docs/database.md, "What PGlite does and does not
// promise"). PGlite runs PostgreSQL as a standalone backend: there is no autovacuum launcher, so
// dead tuples are never reclaimed and the planner never gets statistics unless someone runs
// VACUUM and ANALYZE. This job does it every interval, for the tables whose statistics say it is
// due, one table per statement.
//
// Why it is safe beside live ingest:
// - Every statement goes through PGlite's `exec`, which takes PGlite's transaction mutex: it waits
//   until an open transaction (Prisma's interactive transactions hold that mutex from BEGIN to
//   COMMIT) has finished, so VACUUM never runs inside one. VACUUM in a transaction block is an
//   error in PostgreSQL (SQLSTATE 25001), and would be reported, not retried.
// - One table per statement, with a turn of the event loop between tables: PGlite executes a
//   statement synchronously on the main thread, so a long single VACUUM of every table would hold
//   the event loop; per table, the ingest transactions queued on the mutex run in between.
// - On real PostgreSQL the job is not started: autovacuum exists there.
import type { PGlite } from '@electric-sql/pglite';
import type { Database } from './database';

/** Default interval: 5 minutes (PROOFHUB_VACUUM_INTERVAL_S; 0 turns the job off). */
export const DEFAULT_VACUUM_INTERVAL_MS = 5 * 60_000;

export interface VacuumLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export interface VacuumedTable {
  table: string;
  /** n_dead_tup before the statement (pg_stat_user_tables). */
  deadTuples: number;
  analyzed: boolean;
  ms: number;
}

export interface VacuumRun {
  tables: VacuumedTable[];
  ms: number;
}

export interface VacuumJob {
  /** Runs one pass now (waits for a pass already running instead of starting a second). */
  runNow(): Promise<VacuumRun>;
  /** Stops the timer and waits for a running pass to finish its current table. */
  stop(): Promise<void>;
}

interface TableStats extends Record<string, unknown> {
  relname: string;
  n_live_tup: string | number;
  n_dead_tup: string | number;
  n_mod_since_analyze: string | number;
  last_analyze: Date | null;
}

/**
 * Which tables are due, after autovacuum's default rules (PostgreSQL docs, "The Autovacuum
 * Daemon"): ANALYZE when the rows changed since the last one exceed 50 + 10 % of the live rows
 * (autovacuum_analyze_threshold / _scale_factor) or never analyzed; VACUUM when there are dead
 * tuples at all (cheaper than autovacuum's 20 % rule: the visibility map limits a vacuum to the
 * pages changed since the last one, and the hot tables here are small and updated in place).
 */
export function tablesDue(rows: readonly TableStats[]): { table: string; deadTuples: number; analyze: boolean }[] {
  const due: { table: string; deadTuples: number; analyze: boolean }[] = [];
  for (const row of rows) {
    const live = Number(row.n_live_tup);
    const dead = Number(row.n_dead_tup);
    const modified = Number(row.n_mod_since_analyze);
    const analyze = (row.last_analyze === null && live + modified > 0) || modified > 50 + 0.1 * live;
    if (dead > 0 || analyze) due.push({ table: row.relname, deadTuples: dead, analyze });
  }
  return due.sort((a, b) => b.deadTuples - a.deadTuples);
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One pass over the tables that are due; each statement queued on PGlite's mutex. */
export async function vacuumPglite(db: PGlite, options: { shouldStop?: () => boolean } = {}): Promise<VacuumRun> {
  const started = performance.now();
  // Table statistics are flushed to the shared stats lazily; force them so the pass sees the
  // updates and deletes made since the last one.
  await db.query('SELECT pg_stat_force_next_flush()');
  const stats = await db.query<TableStats>(
    `SELECT relname, n_live_tup, n_dead_tup, n_mod_since_analyze, last_analyze FROM pg_stat_user_tables WHERE schemaname = 'public'`,
  );
  const tables: VacuumedTable[] = [];
  for (const due of tablesDue(stats.rows)) {
    if (options.shouldStop?.() === true) break;
    const at = performance.now();
    await db.exec(`VACUUM${due.analyze ? ' (ANALYZE)' : ''} ${quoteIdentifier(due.table)}`);
    tables.push({ table: due.table, deadTuples: due.deadTuples, analyzed: due.analyze, ms: Math.round(performance.now() - at) });
    await yieldToEventLoop();
  }
  return { tables, ms: Math.round(performance.now() - started) };
}

/**
 * Starts the periodic job: the first pass one interval after the start, then one interval after
 * each pass ends (passes never overlap). The timer is unref'd: it never keeps the process alive.
 */
export function startPgliteVacuum(db: PGlite, options: { intervalMs: number; logger: VacuumLogger }): VacuumJob {
  const { intervalMs, logger } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<VacuumRun> | null = null;

  const pass = (): Promise<VacuumRun> => {
    running ??= vacuumPglite(db, { shouldStop: () => stopped }).finally(() => {
      running = null;
    });
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      pass()
        .then((run) => {
          const vacuumed = run.tables.map((table) => `${table.table}${table.analyzed ? '+analyze' : ''}:${table.deadTuples}:${table.ms}ms`);
          logger.info({ ms: run.ms, tables: vacuumed }, 'pglite vacuum pass');
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'pglite vacuum pass failed'))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();

  return {
    runNow: pass,
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}

/**
 * The hub's hook (server/hub.ts): starts the job on PGlite when the interval is above 0 and
 * answers its stop; on PostgreSQL (autovacuum runs there) or with interval 0, a stop that does
 * nothing.
 */
export function startDatabaseMaintenance(database: Pick<Database, 'pglite'>, options: { intervalMs: number; logger: VacuumLogger }): () => Promise<void> {
  if (database.pglite === null || options.intervalMs <= 0) return () => Promise.resolve();
  const job = startPgliteVacuum(database.pglite, options);
  return () => job.stop();
}
