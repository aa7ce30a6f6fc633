// Starts and stops the real hub for the e2e suite: the same command a newcomer runs (`npm start`,
// which builds Next once if needed, applies migrations and serves Next + Socket.IO on one port),
// on a fresh temporary data dir and a free port, bound to 127.0.0.1. The state file lets the
// restart spec stop and start the same hub (same port, same data dir) from a worker process.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeBasePort } from '@/workers/ports';

export interface HubState {
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  logFile: string;
}

const REPO_ROOT = resolve(import.meta.dirname, '..');
/** Where global setup leaves the running hub's details for workers and teardown. */
export const STATE_FILE = join(tmpdir(), `proofhub-e2e-state-${process.env.PROOFHUB_E2E_RUN ?? 'default'}.json`);
/** The first start may build Next (a few minutes on two cores); later starts only boot. */
const START_TIMEOUT_MS = 8 * 60_000;

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * The devnet's base port for a data dir: chosen once (free, not the default 26657 another run may
 * hold) and kept in the data dir, so a restart on the same data dir finds its validators' genesis.
 */
async function devnetBasePort(dataDir: string): Promise<number> {
  const file = join(dataDir, 'e2e-devnet-base-port');
  if (existsSync(file)) return Number(readFileSync(file, 'utf8'));
  const base = await freeBasePort(4);
  writeFileSync(file, String(base));
  return base;
}

export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'proofhub-e2e-data-'));
}

async function waitForHealth(url: string, exited: () => string | null, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit !== null) throw new Error(`the hub exited before it was ready (${exit})`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 500));
  }
  throw new Error(`the hub did not answer ${url}/health within ${START_TIMEOUT_MS / 1000} s`);
}

/**
 * Starts the hub with `npm start` and resolves once GET /health answers 200. Without `chain` the
 * hub runs without validators (PROOFHUB_DEVNET=0: badges stop at `signed`, as the `hub` and
 * `restart` specs expect); with it, npm start's 4-validator devnet runs beside it.
 */
export async function startHub(options: { port: number; dataDir: string; logFile: string; chain?: boolean; noBuild?: boolean }): Promise<HubState> {
  const url = `http://localhost:${options.port}`;
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const chain = options.chain === true;
  const basePort = chain ? await devnetBasePort(options.dataDir) : 0;
  // noBuild: global setup has just built Next; a later start must not rebuild from a tree that
  // changed meanwhile (minutes on two cores) — it serves the build the suite started with.
  const child = spawn('npm', ['start', '--silent', ...(options.noBuild === true ? ['--', '--no-build'] : [])], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      PROOFHUB_DATA_DIR: options.dataDir,
      NEXTAUTH_URL: url,
      // PROOFHUB_E2E_LOG_LEVEL=debug to chase a failure (the badges fixture prints the log of a failed spec).
      LOG_LEVEL: process.env.PROOFHUB_E2E_LOG_LEVEL ?? 'warn',
      NEXT_TELEMETRY_DISABLED: '1',
      // Several people act in one test; the per-account limit is not what these specs measure.
      PROOFHUB_RATE_POINTS: '1000',
      ...(chain ? { PROOFHUB_DEVNET: '1', PROOFHUB_DEVNET_BASE_PORT: String(basePort) } : { PROOFHUB_DEVNET: '0' }),
    },
    // Its own process group, so stopHub can end npm and the node process it started together.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exit: string | null = null;
  child.once('exit', (code, signal) => {
    exit = `code ${String(code)}, signal ${String(signal)}; see ${options.logFile}`;
  });
  if (child.pid === undefined) throw new Error('could not start npm');
  try {
    await waitForHealth(url, () => exit, Date.now() + START_TIMEOUT_MS);
  } catch (error) {
    stopHub(child.pid);
    throw error;
  }
  child.unref();
  return { url, port: options.port, dataDir: options.dataDir, pid: child.pid, logFile: options.logFile };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the hub's process group (SIGTERM, then SIGKILL after 15 s) and waits until it is gone. */
export async function stopHubAndWait(pid: number): Promise<void> {
  stopHub(pid);
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 200));
  if (isAlive(pid)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (isAlive(pid)) await new Promise((wait) => setTimeout(wait, 100));
  }
}

export function stopHub(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

export function writeState(state: HubState): void {
  writeFileSync(STATE_FILE, JSON.stringify(state));
}

export function readState(): HubState {
  return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as HubState;
}
