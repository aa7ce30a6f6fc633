// `npm run cluster`: N web instances (default 2) on one PostgreSQL (DATABASE_URL) and one Redis
// (REDIS_URL), behind one port (PORT, default 3000) served by a sticky proxy that carries
// WebSocket. Options: --instances N (or CLUSTER_INSTANCES), --api-only (no Next.js).
// docs/operations.md, "Cluster".
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  const cluster = await startCluster({
    instances,
    port,
    host: process.env.HOST ?? '127.0.0.1',
    databaseUrl: process.env.DATABASE_URL,
    redisUrl: process.env.REDIS_URL,
    next: !apiOnly,
    dataDir: resolve(process.env.PROOFHUB_DATA_DIR ?? './data', 'cluster'),
    onLine: (index, line) => process.stdout.write(`[web-${index}] ${line}\n`),
  });
  const ports = cluster.instances.map((instance) => instance.port).join(', ');
  process.stdout.write(`proofhub cluster listening on ${cluster.url} (${instances} instances on ports ${ports})\n`);
  return new Promise<number>((done) => {
    const stop = () => {
      cluster.close().then(
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
