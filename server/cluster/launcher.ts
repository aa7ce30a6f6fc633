// Starts N web instances on one PostgreSQL and one Redis, and the sticky proxy in front of them
// (docs/operations.md, "Cluster"). Used by `npm run cluster`, the cluster and fault tests, and
// bench:load. Each instance is a real child process (kill -9 is a real crash).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createStickyProxy } from './proxy';
import type { StickyProxy } from './proxy';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INSTANCE_ENTRY = fileURLToPath(new URL('./instance.ts', import.meta.url));
/** The line an instance prints once it serves (server/cluster/instance.ts). */
export const READY_PREFIX = 'proofhub instance ready port=';

export class ClusterConfigError extends Error {
  override readonly name = 'ClusterConfigError';
}

export interface ClusterOptions {
  instances: number;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Proxy port (0: any free port). */
  port: number;
  host?: string;
  /** Serve Next.js too (npm run cluster); false: REST + Socket.IO only. */
  next: boolean;
  /** Base data dir; instance i uses `${dataDir}/web-i` (its admin socket, nothing else with PostgreSQL). */
  dataDir: string;
  /** Extra environment for every instance (LOG_LEVEL, PROOFHUB_RATE_POINTS, …). */
  env?: Record<string, string>;
  /** Every output line of every instance; default: dropped (the last lines are kept for errors). */
  onLine?: (instance: number, line: string) => void;
  /** Seconds to wait for an instance to print its ready line. */
  startTimeoutS?: number;
}

export interface ClusterInstance {
  index: number;
  port: number;
  url: string;
  child: ChildProcess;
}

export interface Cluster {
  /** The proxy's URL: the one address clients use. */
  url: string;
  port: number;
  proxy: StickyProxy;
  instances: ClusterInstance[];
  /** Sends a signal to instance i and waits for it to exit (SIGKILL: a crash). */
  stopInstance(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts instance i again on its old port. */
  restartInstance(index: number): Promise<ClusterInstance>;
  close(): Promise<void>;
}

/** Refuses to start a cluster without the shared services it depends on. */
export function checkClusterConfig(options: Pick<ClusterOptions, 'databaseUrl' | 'redisUrl' | 'instances'>): { databaseUrl: string; redisUrl: string } {
  const problems: string[] = [];
  if (options.databaseUrl === undefined || !/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    problems.push('DATABASE_URL must name a PostgreSQL database (postgres://…): instances share it, and embedded PGlite is one process only');
  }
  if (options.redisUrl === undefined || !/^rediss?:\/\//.test(options.redisUrl)) {
    problems.push('REDIS_URL must name a Redis server (redis://…): it carries Socket.IO rooms and rate limits across instances');
  }
  if (!Number.isInteger(options.instances) || options.instances < 1 || options.instances > 64) problems.push('the instance count must be an integer from 1 to 64');
  if (problems.length > 0) throw new ClusterConfigError(problems.join('\n'));
  return { databaseUrl: options.databaseUrl ?? '', redisUrl: options.redisUrl ?? '' };
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { databaseUrl, redisUrl } = checkClusterConfig(options);
  const host = options.host ?? '127.0.0.1';
  // One session secret for all: a cookie minted by one instance is read by every other.
  const secret = options.env?.NEXTAUTH_SECRET ?? process.env.NEXTAUTH_SECRET ?? randomBytes(32).toString('base64url');
  const instances: ClusterInstance[] = [];

  async function spawnInstance(index: number, port: number): Promise<ClusterInstance> {
    const dataDir = join(options.dataDir, `web-${index}`);
    await mkdir(dataDir, { recursive: true });
    const child = spawn(process.execPath, ['--import', 'tsx', INSTANCE_ENTRY, ...(options.next ? [] : ['--api-only'])], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        // The proxy below appends X-Forwarded-For from 127.0.0.1: rate limits and logs see clients.
        TRUST_PROXY: '127.0.0.1,::1',
        ...options.env,
        PORT: String(port),
        HOST: host,
        PROOFHUB_DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        NEXTAUTH_SECRET: secret,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const ready = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`web instance ${index} did not start in ${options.startTimeoutS ?? 60} s:\n${tail.join('\n')}`)), (options.startTimeoutS ?? 60) * 1000);
      const onLine = (line: string) => {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        if (line.startsWith(READY_PREFIX)) {
          clearTimeout(timer);
          resolve(Number(line.slice(READY_PREFIX.length)));
        }
        options.onLine?.(index, line);
      };
      createInterface({ input: child.stdout }).on('line', onLine);
      createInterface({ input: child.stderr }).on('line', onLine);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`web instance ${index} exited (${signal ?? code}) before it was ready:\n${tail.join('\n')}`));
      });
    });
    const actualPort = await ready;
    const instance = { index, port: actualPort, url: `http://${host}:${actualPort}`, child };
    instances[index] = instance;
    return instance;
  }

  function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  try {
    // Sequentially: the first one applies migrations, the others find them applied.
    for (let i = 0; i < options.instances; i++) await spawnInstance(i, 0);
  } catch (error) {
    await Promise.all(instances.map((instance) => stopChild(instance.child, 'SIGKILL')));
    throw error;
  }
  const proxy = createStickyProxy(instances.map((instance) => ({ host, port: instance.port })));
  const { port } = await proxy.listen(options.port, host);
  const displayHost = host === '127.0.0.1' || host === '0.0.0.0' ? 'localhost' : host;

  return {
    url: `http://${displayHost}:${port}`,
    port,
    proxy,
    instances,
    stopInstance: async (index, signal = 'SIGTERM') => {
      const instance = instances[index];
      if (instance !== undefined) await stopChild(instance.child, signal);
    },
    restartInstance: async (index) => {
      const instance = instances[index];
      if (instance === undefined) throw new Error(`no instance ${index}`);
      await stopChild(instance.child, 'SIGTERM');
      return spawnInstance(index, instance.port);
    },
    close: async () => {
      await proxy.close();
      await Promise.all(
        instances.map(async (instance) => {
          const timer = setTimeout(() => instance.child.kill('SIGKILL'), 10_000);
          await stopChild(instance.child, 'SIGTERM');
          clearTimeout(timer);
        }),
      );
    },
  };
}
