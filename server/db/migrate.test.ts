// The SQL migrations: applied once and idempotent; an edited applied migration and an unknown
// applied migration both stop the start; and the tables match prisma/schema.prisma, which Prisma
// Client is generated from (so a column renamed in one place and not the other fails here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { createTestDatabase } from '../testing/database';
import type { TestDatabase } from '../testing/database';
import { applyMigrations, MigrationError, readMigrations } from './migrate';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb.destroy();
});

/** Tables and columns that schema.prisma declares (@@map / @map names; relation fields skipped). */
async function prismaTables(): Promise<Map<string, string[]>> {
  const text = await readFile(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
  const models = [...text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)];
  const modelNames = new Set(models.map((match) => match[1]));
  const tables = new Map<string, string[]>();
  for (const [, name, body = ''] of models) {
    const table = /@@map\("(\w+)"\)/.exec(body)?.[1] ?? name ?? '';
    const columns: string[] = [];
    for (const line of body.split('\n')) {
      const field = /^\s+(\w+)\s+(\w+)(\[\])?\??/.exec(line);
      if (field === null || line.trim().startsWith('//') || line.trim().startsWith('@@')) continue;
      const [, fieldName = '', type = ''] = field;
      if (modelNames.has(type)) continue; // relation
      columns.push(/@map\("(\w+)"\)/.exec(line)?.[1] ?? fieldName);
    }
    tables.set(table, columns.sort());
  }
  return tables;
}

describe('migrations', () => {
  it('are idempotent: a second run applies nothing', async () => {
    const migrations = await readMigrations();
    expect(migrations.map((m) => m.name)[0]).toBe('0001_init');
    const report = await applyMigrations(testDb.db.sql, migrations);
    expect(report).toEqual({ applied: [], alreadyApplied: migrations.map((m) => m.name) });
  });

  it('refuse an applied migration whose file changed, and one the code does not know', async () => {
    const migrations = await readMigrations();
    const [first] = migrations;
    if (first === undefined) throw new Error('no migrations');
    await expect(applyMigrations(testDb.db.sql, [{ ...first, sql: `${first.sql}\n-- edited`, checksum: 'f'.repeat(64) }])).rejects.toBeInstanceOf(MigrationError);
    await expect(applyMigrations(testDb.db.sql, [])).rejects.toThrow(/newer than this code/);
  });

  it('roll back a failing migration completely', async () => {
    const migrations = await readMigrations();
    const broken = { name: '9999_broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();', checksum: '0'.repeat(64) };
    await expect(applyMigrations(testDb.db.sql, [...migrations, broken])).rejects.toBeInstanceOf(MigrationError);
    const leftovers = await testDb.db.sql.withConnection((c) => c.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'half_done'"));
    expect(leftovers[0]?.n).toBe(0);
    const recorded = await testDb.db.sql.withConnection((c) => c.query<{ n: number }>("SELECT count(*)::int AS n FROM _proofhub_migrations WHERE name = '9999_broken'"));
    expect(recorded[0]?.n).toBe(0);
  });

  it('create exactly the tables and columns schema.prisma describes', async () => {
    const rows = await testDb.db.sql.withConnection((c) =>
      c.query<{ table_name: string; column_name: string }>("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> '_proofhub_migrations'"),
    );
    const actual = new Map<string, string[]>();
    for (const row of rows) actual.set(row.table_name, [...(actual.get(row.table_name) ?? []), row.column_name]);
    for (const [table, columns] of actual) actual.set(table, columns.sort());
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(await prismaTables()));
  });
});
