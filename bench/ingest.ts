// Ingest cost per proof (a script, not a test): one hub context in this process on a fresh
// database (PGlite, or PostgreSQL with PROOFHUB_TEST_DB=postgres and PG_TEST_URL), W writers each
// submitting pre-signed posts, replies and reactions through ctx.ingest.submit with one proof in
// flight each. Prints this process's CPU per accepted proof (user+system, process.cpuUsage), the
// SQL statements sent per proof, and submit→answer latency p50/p99, with `uptime`.
//   tsx bench/ingest.ts [--proofs 300] [--writers 8] [--json]
// For an A/B, run two trees' copies of this script alternately (bench/README.md).
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createContext } from '../server/context';
import type { RateLimitConfig } from '../server/rate-limit';
import { createTestDatabase } from '../server/testing/database';
import { TestIdentity } from '../server/testing/identities';
import type { SignedWithContent } from '../server/testing/identities';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? undefined : Number(process.argv[at + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
}

const PROOFS = option('proofs', 300);
const WRITERS = option('writers', 8);
const JSON_OUT = process.argv.includes('--json');

// Count statements at the drivers, below Prisma: what each proof costs in round trips. PGlite:
// every Parse ('P') or simple Query ('Q') message through execProtocol (transactions included);
// node-postgres: every Client.query.
let statements = 0;
const pgliteProto = PGlite.prototype as unknown as { execProtocolRawSync: (message: Uint8Array, ...rest: unknown[]) => unknown };
const execProtocol = pgliteProto.execProtocolRawSync;
pgliteProto.execProtocolRawSync = function (this: unknown, message: Uint8Array, ...rest: unknown[]) {
  if (message[0] === 0x50 || message[0] === 0x51) statements++;
  return execProtocol.call(this, message, ...rest);
};
const pgProto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const pgQuery = pgProto.query;
pgProto.query = function (this: unknown, ...args: unknown[]) {
  statements++;
  return pgQuery.apply(this, args);
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const testDb = await createTestDatabase();
  const ctx = await createContext({ database: testDb.db, secret: randomBytes(32).toString('hex'), rateLimits: { proofs: { points: 1e9, windowSeconds: 1 }, signups: { points: 1e9, windowSeconds: 1 }, logins: { points: 1e9, windowSeconds: 1 } } satisfies RateLimitConfig });
  let delivered = 0;
  ctx.events.on('proof:stored', () => delivered++);
  const writers: { identity: TestIdentity; userId: string }[] = [];
  for (let i = 0; i < WRITERS; i++) {
    const identity = new TestIdentity();
    const signed = await ctx.users.signup({ username: `writer${i}`, password: 'correct horse battery', identity: await identity.identity(`Writer ${i}`) }, '127.0.0.1');
    if (!signed.ok) throw new Error(`signup: ${signed.error.code}`);
    writers.push({ identity, userId: signed.value.id });
  }
  // Warm-up: one post per writer (compiles Prisma's queries, fills caches), not measured.
  const roots: SignedWithContent[] = [];
  for (const writer of writers) {
    const post = await writer.identity.post('public', { title: 'warm', body: 'warm-up post' });
    const result = await ctx.ingest.submit(post, writer.userId);
    if (!result.ok) throw new Error(`warm-up: ${result.error.code}`);
    roots.push(post);
  }
  // Pre-sign the measured proofs per writer (signing is the client's cost): 60 % posts, 25 %
  // replies to another writer's warm-up post, 15 % likes of it.
  const perWriter = Math.ceil(PROOFS / WRITERS);
  const queues: SignedWithContent[][] = [];
  for (let w = 0; w < writers.length; w++) {
    const writer = writers[w];
    if (writer === undefined) continue;
    const queue: SignedWithContent[] = [];
    for (let i = 0; i < perWriter; i++) {
      const root = roots[(w + 1 + i) % roots.length]?.proof;
      if (root === undefined) throw new Error('no root');
      const pick = i % 20;
      if (pick < 12) queue.push(await writer.identity.post('public', { title: `t${i}`, body: `post ${i} of writer ${w}` }));
      else if (pick < 17) queue.push(await writer.identity.reply('public', root, `reply ${i}`));
      else queue.push({ proof: await writer.identity.react('public', root.id, 'like', i % 2 === 1) });
    }
    queues.push(queue);
  }
  const latencies: number[] = [];
  const refused = new Map<string, number>();
  statements = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    writers.map(async (writer, w) => {
      for (const item of queues[w] ?? []) {
        const start = performance.now();
        const result = await ctx.ingest.submit(item, writer.userId);
        latencies.push(performance.now() - start);
        if (!result.ok) refused.set(result.error.code, (refused.get(result.error.code) ?? 0) + 1);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const total = latencies.length;
  const accepted = total - [...refused.values()].reduce((a, b) => a + b, 0);
  latencies.sort((a, b) => a - b);
  const report = {
    db: testDb.db.kind,
    writers: WRITERS,
    proofs: total,
    accepted,
    refused: Object.fromEntries(refused),
    cpu_ms_per_proof: (cpu.user + cpu.system) / 1000 / Math.max(accepted, 1),
    statements_per_proof: statements / Math.max(accepted, 1),
    proofs_per_s: (accepted * 1000) / wallMs,
    p50_ms: percentile(latencies, 0.5),
    p99_ms: percentile(latencies, 0.99),
    events: delivered,
    uptime: execSync('uptime').toString().trim(),
  };
  if (JSON_OUT) console.log(JSON.stringify(report));
  else console.log(report);
  await testDb.destroy();
}

await main();
