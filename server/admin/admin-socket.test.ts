// The operator path while the hub runs: `proofhub admin create-user` as a real child process talks
// to the running hub over its admin socket (never opening PGlite a second time), and the account
// it creates can sign in. With the hub stopped, the same command opens the database itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminSocketPath, DataDirInUseError, pgliteDir } from '../data-dir';
import { loadEnv } from '../env';
import type { Env } from '../env';
import { startHub } from '../hub';
import type { HubHandle } from '../hub';
import { createPgliteDir, createPostgresDatabase, testDatabaseKind } from '../testing/database';

const CLI = fileURLToPath(new URL('../../bin/proofhub.mjs', import.meta.url));

let dataDir: string;
let env: Env;
let hub: HubHandle | null = null;
let dropPostgres: (() => Promise<void>) | null = null;

function runCli(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, PROOFHUB_DATA_DIR: dataDir, ...(env.databaseUrl === null ? {} : { DATABASE_URL: env.databaseUrl }) } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'proofhub-admin-'));
  const source: Record<string, string> = { PROOFHUB_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' };
  if (testDatabaseKind() === 'postgres') {
    const database = await createPostgresDatabase();
    source.DATABASE_URL = database.url;
    dropPostgres = database.drop;
  } else {
    await createPgliteDir(pgliteDir(dataDir));
  }
  env = loadEnv(source);
  hub = await startHub({ env, next: false });
});

afterAll(async () => {
  await hub?.close();
  await dropPostgres?.();
  await rm(dataDir, { recursive: true, force: true });
});

describe('proofhub admin', () => {
  it('creates a user through the running hub, who can then sign in', async () => {
    expect((await stat(adminSocketPath(dataDir))).mode & 0o777).toBe(0o600);
    const created = await runCli(['admin', 'create-user', '--username', 'Carol', '--password-stdin'], 'a long enough password\n');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toEqual({ id: expect.any(String) as string, username: 'carol', did: null, role: 'user' });
    const signIn = await hub?.ctx.users.verifyCredentials('carol', 'a long enough password');
    expect(signIn).toMatchObject({ ok: true, value: { username: 'carol' } });

    const again = await runCli(['admin', 'create-user', '--username', 'carol', '--password-stdin'], 'another password\n');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: { code: 'username_taken' } });
    expect((await runCli(['admin', 'create-user', '--username', 'dan'], '')).code).toBe(2);
    const rebuilt = await runCli(['admin', 'rebuild-views'], '');
    expect(rebuilt.code).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ proofs: 0, rows: { thread_views: 0 } });
  }, 120_000);

  it('keeps a second hub off the same PGlite folder', async () => {
    if (env.databaseUrl !== null) return; // PostgreSQL serves many instances; the lock is PGlite's
    await expect(startHub({ env, next: false })).rejects.toBeInstanceOf(DataDirInUseError);
  });

  it('opens the database itself when the hub is stopped', async () => {
    await hub?.close();
    hub = null;
    const created = await runCli(['admin', 'create-user', '--username', 'erin', '--password-stdin', '--role', 'admin'], 'erin password here\n');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ username: 'erin', role: 'admin' });
    hub = await startHub({ env, next: false });
    expect(await hub.ctx.prisma.user.findMany({ select: { username: true }, orderBy: { username: 'asc' } })).toEqual([{ username: 'carol' }, { username: 'erin' }]);
  }, 120_000);
});
