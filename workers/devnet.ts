// A local devnet: n = 3f+1 validators (default 4) on one machine, each its own child process with
// its own key and LevelDB, validator i serving RPC and peer links on basePort + i. Keys and data
// live in `dir` and are reused across restarts, so a devnet keeps its chain.
//
//   dir/genesis.json
//   dir/validator-<i>/key.json      mode 0600
//   dir/validator-<i>/data/         LevelDB
//   dir/validator-<i>/validator.log JSON lines (stdout and stderr of the process)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex } from '@/lib/bytes';
import { type Genesis, type GenesisFile, readGenesisFile, writeGenesisFile } from './genesis';
import { generateValidatorKey, readKeyFile, writeKeyFile } from './keys';
import { peerBaseUrl } from './peer-client';

export const DEFAULT_DEVNET_DIR = './data/devnet';
export const DEFAULT_BASE_PORT = 26657;

export interface DevnetOptions {
  /** Directory for genesis, keys, data and logs (default ./data/devnet). */
  readonly dir?: string;
  /** Validator i listens on basePort + i (default 26657). */
  readonly basePort?: number;
  /** Number of validators, 3f+1 (default 4). */
  readonly validators?: number;
  readonly host?: string;
  readonly chainId?: string;
  /** Base view timeout (ms) passed to every validator. */
  readonly timeoutMs?: number;
  readonly blockTimeMs?: number;
  readonly idleBlockMs?: number;
  readonly maxBlockLeaves?: number;
  /** pino level of the validators' logs (default info). */
  readonly logLevel?: string;
  /** How long start and restart wait for a validator to answer /status (default 60 s). */
  readonly readyTimeoutMs?: number;
  /**
   * Resolve startDevnet only once every validator has committed a block beyond the height it
   * started at, i.e. the chain is live, not merely listening (default true).
   */
  readonly waitForCommit?: boolean;
  /** Extra node options for every validator process (e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/p']). */
  readonly nodeArgs?: readonly string[];
}

export interface DevnetValidator {
  readonly index: number;
  /** RPC base URL, e.g. http://127.0.0.1:26657. */
  readonly url: string;
  readonly keyPath: string;
  readonly dataDir: string;
  readonly logPath: string;
}

export interface Devnet {
  readonly dir: string;
  readonly genesisPath: string;
  readonly genesis: Genesis;
  readonly validators: readonly DevnetValidator[];
  /** RPC base URLs, validator order. */
  readonly urls: readonly string[];
  /** PID of validator i's process, or null when it is not running. */
  pid(index: number): number | null;
  isRunning(index: number): boolean;
  /** Sends signal (default SIGKILL) to validator i and waits for the process to exit. */
  kill(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts validator i again (after kill) and waits until it has joined consensus. */
  restart(index: number): Promise<void>;
  /** Stops every validator (SIGTERM, then SIGKILL after 10 s). */
  stop(): Promise<void>;
}

export class DevnetError extends Error {}

const BIN = fileURLToPath(new URL('../bin/proofhub.mjs', import.meta.url));

/** Creates genesis and keys in dir, or checks and reuses the ones already there. */
export async function prepareDevnet(options: DevnetOptions = {}): Promise<{ dir: string; genesisPath: string; genesis: Genesis; validators: DevnetValidator[] }> {
  const dir = resolve(options.dir ?? DEFAULT_DEVNET_DIR);
  const basePort = options.basePort ?? DEFAULT_BASE_PORT;
  const count = options.validators ?? 4;
  const host = options.host ?? '127.0.0.1';
  if (!Number.isInteger(basePort) || basePort < 1 || basePort + count - 1 > 65_535) throw new DevnetError(`--base-port must leave room for ${count} ports below 65536`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const genesisPath = join(dir, 'genesis.json');
  const validators: DevnetValidator[] = Array.from({ length: count }, (_, index) => {
    const home = join(dir, `validator-${index}`);
    return {
      index,
      url: peerBaseUrl({ host, port: basePort + index }),
      keyPath: join(home, 'key.json'),
      dataDir: join(home, 'data'),
      logPath: join(home, 'validator.log'),
    };
  });
  let genesis: Genesis;
  if (existsSync(genesisPath)) {
    genesis = await readGenesisFile(genesisPath);
    const mismatch = genesis.validators.length !== count || genesis.validators.some((validator) => validator.port !== basePort + validator.index || validator.host !== host);
    if (mismatch) {
      const first = genesis.validators[0];
      throw new DevnetError(
        `the devnet in ${dir} was made for ${genesis.validators.length} validators at ${first?.host}:${first?.port}…; ` +
          `start it with --base-port ${first?.port} or use another --dir`,
      );
    }
    for (const validator of validators) {
      const key = await readKeyFile(validator.keyPath);
      if (bytesToHex(key.publicKey) !== bytesToHex(genesis.validators[validator.index]?.publicKey ?? new Uint8Array())) {
        throw new DevnetError(`${validator.keyPath} does not hold the key genesis names for validator ${validator.index}`);
      }
    }
  } else {
    const keys = [];
    for (const validator of validators) {
      await mkdir(join(dir, `validator-${validator.index}`), { recursive: true, mode: 0o700 });
      const key = generateValidatorKey();
      await writeKeyFile(validator.keyPath, key);
      keys.push(key);
    }
    const file: GenesisFile = {
      chain_id: options.chainId ?? 'proofhub-devnet',
      created_at: new Date().toISOString(),
      validators: keys.map((key, index) => ({ index, public_key: bytesToHex(key.publicKey), host, port: basePort + index })),
    };
    await writeGenesisFile(genesisPath, file);
    genesis = await readGenesisFile(genesisPath);
  }
  for (const validator of validators) await mkdir(validator.dataDir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  return { dir, genesisPath, genesis, validators };
}

/** Prepares the devnet and runs every validator as a child process; resolves once the chain commits. */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const prepared = await prepareDevnet(options);
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const children = new Map<number, ChildProcess>();
  const exits = new Map<number, Promise<void>>();

  const launch = async (validator: DevnetValidator): Promise<void> => {
    const log = await open(validator.logPath, 'a', 0o600);
    const args = [...(options.nodeArgs ?? []), BIN, 'validator', '--genesis', prepared.genesisPath, '--key', validator.keyPath, '--data', validator.dataDir];
    if (options.timeoutMs !== undefined) args.push('--timeout-ms', String(options.timeoutMs));
    if (options.blockTimeMs !== undefined) args.push('--block-time-ms', String(options.blockTimeMs));
    if (options.idleBlockMs !== undefined) args.push('--idle-block-ms', String(options.idleBlockMs));
    if (options.maxBlockLeaves !== undefined) args.push('--max-block-leaves', String(options.maxBlockLeaves));
    args.push('--log-level', options.logLevel ?? 'info');
    const child = spawn(process.execPath, args, { stdio: ['ignore', log.fd, log.fd, 'ipc'], env: process.env });
    await log.close();
    children.set(validator.index, child);
    exits.set(
      validator.index,
      new Promise<void>((resolveExit) => {
        child.once('exit', () => {
          if (children.get(validator.index) === child) children.delete(validator.index);
          resolveExit();
        });
      }),
    );
  };

  const waitReady = async (validator: DevnetValidator): Promise<void> => {
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (!children.has(validator.index)) throw new DevnetError(`validator ${validator.index} exited during start; see ${validator.logPath}`);
      try {
        const response = await fetch(`${validator.url}/status`, { signal: AbortSignal.timeout(1000) });
        if (response.ok) {
          const status = (await response.json()) as { joined?: boolean };
          if (status.joined === true) return;
        } else {
          await response.body?.cancel();
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    throw new DevnetError(`validator ${validator.index} did not become ready within ${readyTimeoutMs} ms; see ${validator.logPath}`);
  };

  const kill = async (index: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const child = children.get(index);
    if (!child) return;
    const exited = exits.get(index);
    child.kill(signal);
    await exited;
  };

  const stop = async (): Promise<void> => {
    await Promise.all(
      [...children.keys()].map(async (index) => {
        const child = children.get(index);
        if (!child) return;
        const exited = exits.get(index);
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  };

  const heightOf = async (validator: DevnetValidator): Promise<number> => {
    try {
      const response = await fetch(`${validator.url}/status`, { signal: AbortSignal.timeout(1000) });
      return response.ok ? ((await response.json()) as { height: number }).height : -1;
    } catch {
      return -1;
    }
  };

  const waitLive = async (): Promise<void> => {
    const start = Math.max(...(await Promise.all(prepared.validators.map(heightOf))));
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      const heights = await Promise.all(prepared.validators.map(heightOf));
      if (heights.every((height) => height > start)) return;
      await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    }
    throw new DevnetError(`the devnet did not commit a block within ${readyTimeoutMs} ms; see the validator logs in ${prepared.dir}`);
  };

  try {
    for (const validator of prepared.validators) await launch(validator);
    await Promise.all(prepared.validators.map((validator) => waitReady(validator)));
    if (options.waitForCommit !== false) await waitLive();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    dir: prepared.dir,
    genesisPath: prepared.genesisPath,
    genesis: prepared.genesis,
    validators: prepared.validators,
    urls: prepared.validators.map((validator) => validator.url),
    pid: (index) => children.get(index)?.pid ?? null,
    isRunning: (index) => children.has(index),
    kill,
    restart: async (index) => {
      const validator = prepared.validators[index];
      if (!validator) throw new DevnetError(`no validator ${index}`);
      if (children.has(index)) return;
      await launch(validator);
      await waitReady(validator);
    },
    stop,
  };
}
