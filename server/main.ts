// `npm start` / `npm run dev`: the web process (Next.js + REST + Socket.IO on one port).
//   npm start      build Next if stale, migrate, serve (NODE_ENV=production)
//   npm run dev    Next in dev mode, no build
// Prints `proofhub listening on http://localhost:PORT` once it serves (docs/api.md, "Ready signal").
import { buildNext, generatePrismaClient, nextBuildIsStale, prismaClientIsStale } from './build';
import { EnvError, loadEnv } from './env';
import { DataDirInUseError } from './data-dir';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { startChainSource } from './chain/devnet-supervisor';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function main(argv: string[]): Promise<number> {
  const dev = argv.includes('--dev');
  const skipBuild = argv.includes('--no-build');
  Object.assign(process.env, { NODE_ENV: dev ? 'development' : 'production' }); // before Next loads
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';
  let env;
  try {
    env = loadEnv(process.env, { dev });
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`proofhub: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  if (prismaClientIsStale(ROOT)) generatePrismaClient(ROOT);
  if (!dev && !skipBuild && nextBuildIsStale(ROOT)) {
    process.stdout.write('proofhub: building the web app (next build) …\n');
    buildNext(ROOT);
  }

  // Imported only now: the hub imports the generated Prisma Client.
  const { startHub } = await import('./hub');
  // The validators start in the background (docs/chain-anchoring.md): the hub serves at once.
  const chain = startChainSource(env.chain, pino({ level: env.logLevel }));
  let hub;
  try {
    hub = await startHub({ env, next: true, chain });
  } catch (error) {
    await chain?.stop();
    if (error instanceof DataDirInUseError) {
      process.stderr.write(`proofhub: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  process.stdout.write(`proofhub listening on ${hub.url}\n`);

  const running = hub;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`proofhub: ${signal} again, exiting now\n`);
        process.exit(1);
      }
      stopping = true;
      running.ctx.logger.info({ signal }, 'shutting down');
      running.close().then(() => chain?.stop()).then(
        () => resolve(0),
        (error: unknown) => {
          running.ctx.logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`proofhub: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
