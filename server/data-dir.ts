// The data directory: PGlite files, the generated session secret, the admin socket and a lock
// file that keeps a second process from opening the same PGlite folder (PGlite is single-process:
// two writers would corrupt it).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function pgliteDir(dataDir: string): string {
  return join(dataDir, 'pglite');
}

export function adminSocketPath(dataDir: string): string {
  return join(dataDir, 'admin.sock');
}

export function lockFilePath(dataDir: string): string {
  return join(dataDir, 'proofhub.lock');
}

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`data dir ${dataDir} is in use by process ${pid} (stop it first; two processes must never open one PGlite folder)`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock files this process holds (a stale file with our own pid, e.g. pid 1 in a container, is not one of them). */
const heldLocks = new Set<string>();

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * Takes the data dir for this process: creates the lock file exclusively with our pid. A lock
 * left by a dead process (a crash, kill -9) is taken over; a live one throws DataDirInUseError.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = lockFilePath(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      heldLocks.add(path);
      return {
        release: async () => {
          if (!heldLocks.delete(path)) return;
          const holder = await readLockPid(path);
          if (holder === process.pid) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readLockPid(path);
      const live = holder !== null && (holder === process.pid ? heldLocks.has(path) : isAlive(holder));
      if (live) throw new DataDirInUseError(dataDir, holder);
      await rm(path, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not take the lock ${path}`);
}

async function readLockPid(path: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The pid holding the data dir, or null when no live process does. */
export async function dataDirHolder(dataDir: string): Promise<number | null> {
  const pid = await readLockPid(lockFilePath(dataDir));
  return pid !== null && isAlive(pid) ? pid : null;
}

/**
 * The next-auth secret: NEXTAUTH_SECRET when set, else one generated on first start and kept in
 * the data dir (mode 0600) so sessions survive restarts.
 */
export async function loadOrCreateSecret(dataDir: string, configured: string | null): Promise<string> {
  if (configured !== null) return configured;
  const path = join(dataDir, 'nextauth-secret');
  try {
    const stored = (await readFile(path, 'utf8')).trim();
    if (stored.length >= 32) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}
