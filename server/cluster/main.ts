// `npm run cluster`: N web instances (default 2) on one PostgreSQL (DATABASE_URL) and one Redis
// (REDIS_URL), behind one port (PORT, default 3000) served by a sticky proxy that carries
// WebSocket. Options: --instances N (or CLUSTER_INSTANCES), --api-only (no Next.js).
// docs/operations.md, "Cluster".
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { startChainSource } from '../chain/devnet-supervisor';
import type { ChainSource } from '../chain/devnet-supervisor';
import { buildNext, generatePrismaClient, nextBuildIsStale, prismaClientIsStale } from '../build';
import { ClusterConfigError, checkClusterConfig, startCluster } from './launcher';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function option(argv: string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at === -1 ? undefined : argv[at + 1];
}

async function main(argv: string[]): Promise<number> {
  const apiOnly = argv.includes('--api-only');
  const instances = Number(option(argv, '--instances') ?? process.env.CLUSTER_INSTANCES ?? 2);
  const port = Number(process.env.PORT ?? 3000);
  try {
    checkClusterConfig({ instances, databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL });
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ClusterConfigError('PORT must be a port number');
  } catch (error) {
    if (error instanceof ClusterConfigError) {
      process.stderr.write(`proofhub cluster: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // Built once here, not by each instance at the same time.
  if (prismaClientIsStale(ROOT)) generatePrismaClient(ROOT);
  if (!apiOnly && nextBuildIsStale(ROOT)) {
    process.stdout.write('proofhub cluster: building the web app (next build) …\n');
    buildNext(ROOT);
  }
  // One chain for every instance: CHAIN_GENESIS + CHAIN_RPC as given, or one devnet started here
  // (unless PROOFHUB_DEVNET=0) whose genesis and RPC URLs the instances get as CHAIN_*.
  let chainEnv: Record<string, string> = {};
  let devnet: ChainSource | null = null;
  if (process.env.CHAIN_GENESIS === undefined && process.env.PROOFHUB_DEVNET !== '0') {
    const dataDir = resolve(process.env.PROOFHUB_DATA_DIR ?? './data', 'cluster');
    devnet = startChainSource({ kind: 'devnet', dir: resolve(dataDir, 'devnet'), basePort: Number(process.env.PROOFHUB_DEVNET_BASE_PORT ?? 26657) }, pino({ level: process.env.LOG_LEVEL ?? 'info' }));
    process.stdout.write('proofhub cluster: starting the devnet (4 validators) …\n');
    const config = await devnet?.ready;
    if (config) chainEnv = { CHAIN_GENESIS: config.genesisPath, CHAIN_RPC: config.urls.join(',') };
    else process.stdout.write('proofhub cluster: the devnet did not start; running without the chain\n');
  }
  const cluster = await startCluster({
    instances,
    port,
    host: process.env.HOST ?? '127.0.0.1',
    databaseUrl: process.env.DATABASE_URL,
    redisUrl: process.env.REDIS_URL,
    next: !apiOnly,
    dataDir: resolve(process.env.PROOFHUB_DATA_DIR ?? './data', 'cluster'),
    onLine: (index, line) => process.stdout.write(`[web-${index}] ${line}\n`),
    env: chainEnv,
  });
  const ports = cluster.instances.map((instance) => instance.port).join(', ');
  process.stdout.write(`proofhub cluster listening on ${cluster.url} (${instances} instances on ports ${ports})\n`);
  return new Promise<number>((done) => {
    const stop = () => {
      cluster.close().then(
        () => devnet?.stop(),
      ).then(
        () => done(0),
        () => done(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`proofhub cluster: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
