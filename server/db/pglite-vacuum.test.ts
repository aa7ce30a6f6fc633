// The PGlite vacuum job against a real PGlite behind a real hub (REST ingest through Prisma's
// interactive transactions): it reclaims the dead tuples the view updates leave, gathers
// statistics, runs while ingest goes on without breaking it, logs each pass, and stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedProof } from '@/lib/proof/schema';
import { startTestHub } from '../testing/hub';
import type { TestHub, TestUser } from '../testing/hub';
import { createTestDatabase } from '../testing/database';
import type { TestDatabase } from '../testing/database';
import { startDatabaseMaintenance, startPgliteVacuum, tablesDue, vacuumPglite } from './pglite-vacuum';
import type { VacuumRun } from './pglite-vacuum';

let testDb: TestDatabase;
let hub: TestHub;
let alice: TestUser;
let root: SignedProof;

function pglite() {
  const db = testDb.db.pglite;
  if (db === null) throw new Error('expected PGlite');
  return db;
}

async function deadTuples(): Promise<Map<string, { dead: number; analyzed: boolean }>> {
  await pglite().query('SELECT pg_stat_force_next_flush()');
  const rows = await pglite().query<{ relname: string; n_dead_tup: number; last_analyze: Date | null }>(
    `SELECT relname, n_dead_tup, last_analyze FROM pg_stat_user_tables WHERE schemaname = 'public'`,
  );
  return new Map(rows.rows.map((row) => [row.relname, { dead: Number(row.n_dead_tup), analyzed: row.last_analyze !== null }]));
}

async function reply(text: string): Promise<number> {
  const signed = await alice.identity.reply('public', root, text);
  return (await hub.fetchJson('/api/v1/proofs', { body: signed, cookie: alice.cookie })).status;
}

beforeAll(async () => {
  testDb = await createTestDatabase('pglite'); // this job is PGlite's, whatever PROOFHUB_TEST_DB says
  hub = await startTestHub({ testDb, rateLimits: { proofs: { points: 10_000, windowSeconds: 60 }, signups: { points: 100, windowSeconds: 60 }, logins: { points: 100, windowSeconds: 60 } } });
  alice = await hub.signUp('alice');
  const post = await alice.identity.post('public', { title: 'Vacuumed', body: 'root' });
  expect((await hub.fetchJson('/api/v1/proofs', { body: post, cookie: alice.cookie })).status).toBe(201);
  root = post.proof;
}, 60_000);

afterAll(async () => {
  await hub?.close();
  await testDb?.destroy();
});

describe('PGlite vacuum job', () => {
  it('reclaims the dead tuples of updated and deleted rows and gathers statistics', async () => {
    // Each reply updates its issuer's identity_views row and the thread's thread_views row.
    for (let i = 0; i < 20; i++) expect(await reply(`reply ${i}`)).toBe(201);
    // Deletes as well, in a table of the test's own.
    await hub.ctx.prisma.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS vacuum_probe (id int PRIMARY KEY, v text)`);
    await hub.ctx.prisma.$executeRawUnsafe(`INSERT INTO vacuum_probe SELECT g, 'x' FROM generate_series(1, 500) g`);
    await hub.ctx.prisma.$executeRawUnsafe(`DELETE FROM vacuum_probe WHERE id % 2 = 0`);

    const before = await deadTuples();
    expect(before.get('identity_views')?.dead).toBeGreaterThan(0);
    expect(before.get('thread_views')?.dead).toBeGreaterThan(0);
    expect(before.get('vacuum_probe')?.dead).toBe(250);

    const run = await vacuumPglite(pglite());
    expect(run.tables.map((table) => table.table)).toEqual(expect.arrayContaining(['identity_views', 'thread_views', 'vacuum_probe']));
    const after = await deadTuples();
    for (const table of ['identity_views', 'thread_views', 'vacuum_probe']) {
      expect(after.get(table)?.dead, table).toBe(0);
      expect(after.get(table)?.analyzed, table).toBe(true);
    }
    // Nothing changed since: the next pass has nothing to do.
    expect((await vacuumPglite(pglite())).tables.filter((table) => ['identity_views', 'thread_views', 'vacuum_probe'].includes(table.table))).toEqual([]);
  }, 60_000);

  it('runs beside concurrent ingest: every proof is stored and the views stay right', async () => {
    // Three writers (each issuer's seq chain is sequential) reply while passes run back to back,
    // each statement of a pass queued on PGlite's mutex between the ingest transactions.
    const writers = [alice, await hub.signUp('bob'), await hub.signUp('carol')];
    let writing = true;
    const passes: VacuumRun[] = [];
    const vacuuming = (async () => {
      while (writing) {
        passes.push(await vacuumPglite(pglite()));
        await new Promise((resolve) => setTimeout(resolve, 5)); // PGlite answers in microtasks: let HTTP in
      }
    })();
    const statuses = await Promise.all(
      writers.map(async (writer) => {
        const out: number[] = [];
        for (let i = 0; i < 5; i++) {
          const signed = await writer.identity.reply('public', root, `${writer.username} ${i}`);
          out.push((await hub.fetchJson('/api/v1/proofs', { body: signed, cookie: writer.cookie })).status);
        }
        return out;
      }),
    );
    writing = false;
    await vacuuming;
    expect(statuses.flat()).toEqual(Array.from({ length: 15 }, () => 201));
    expect(passes.length).toBeGreaterThan(0);
    expect(passes.some((pass) => pass.tables.length > 0)).toBe(true);
    const thread = await hub.fetchJson<{ replies: unknown[] }>(`/api/v1/threads/${root.id}`);
    expect(thread.body.replies).toHaveLength(35);
    const stored = await hub.ctx.prisma.threadView.findUniqueOrThrow({ where: { rootId: root.id }, select: { replyCount: true } });
    expect(stored.replyCount).toBe(35);
  }, 60_000);

  it('waits for an open transaction instead of running inside it', async () => {
    const order: string[] = [];
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const transaction = hub.ctx.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`UPDATE vacuum_probe SET v = 'y'`);
      entered();
      await new Promise((resolve) => setTimeout(resolve, 200));
      order.push('transaction');
    });
    await inside;
    const pass = vacuumPglite(pglite()).then((run) => {
      order.push('vacuum');
      return run;
    });
    await transaction;
    const run = await pass; // VACUUM inside a transaction block would have thrown (SQLSTATE 25001)
    expect(order).toEqual(['transaction', 'vacuum']);
    expect(run.tables.map((table) => table.table)).toContain('vacuum_probe');
  }, 60_000);

  it('runs on its timer, logs each pass with its duration, and stops', async () => {
    for (let i = 0; i < 3; i++) expect(await reply(`timed ${i}`)).toBe(201);
    const logged: Record<string, unknown>[] = [];
    let resolveFirst: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (resolveFirst = resolve));
    const job = startPgliteVacuum(pglite(), {
      intervalMs: 20,
      logger: {
        info: (object) => {
          logged.push(object);
          resolveFirst();
        },
        warn: (object) => logged.push({ warn: object }),
      },
    });
    await first;
    await job.stop();
    const count = logged.length;
    expect(logged[0]).toMatchObject({ ms: expect.any(Number) as number, tables: expect.arrayContaining([expect.stringMatching(/^identity_views/)]) as string[] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logged).toHaveLength(count); // no pass after stop
    expect(logged.some((entry) => 'warn' in entry)).toBe(false);
  }, 60_000);

  it('starts nothing on PostgreSQL or with interval 0', async () => {
    const logger = { info: () => expect.unreachable('no pass'), warn: () => expect.unreachable('no pass') };
    await startDatabaseMaintenance({ pglite: null }, { intervalMs: 1, logger })();
    await startDatabaseMaintenance({ pglite: pglite() }, { intervalMs: 0, logger })();
    await new Promise((resolve) => setTimeout(resolve, 20));
  });

  it('picks tables after autovacuum\'s rules', () => {
    const row = (relname: string, live: number, dead: number, modified: number, analyzed: boolean) => ({ relname, n_live_tup: live, n_dead_tup: dead, n_mod_since_analyze: modified, last_analyze: analyzed ? new Date(0) : null });
    expect(tablesDue([row('quiet', 1000, 0, 10, true), row('empty', 0, 0, 0, false), row('dead', 1000, 5, 10, true), row('changed', 1000, 0, 151, true), row('fresh', 3, 0, 3, false), row('busy', 10, 40, 200, true)])).toEqual([
      { table: 'busy', deadTuples: 40, analyze: true },
      { table: 'dead', deadTuples: 5, analyze: false },
      { table: 'changed', deadTuples: 0, analyze: true },
      { table: 'fresh', deadTuples: 0, analyze: true },
    ]);
  });
});
