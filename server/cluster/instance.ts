// One web instance of a cluster (server/cluster/launcher.ts spawns these): the hub on the port
// it is given, Next.js unless --api-only (REST + Socket.IO only: tests and bench:load). Prints
// `proofhub instance ready port=N` once it serves; SIGTERM closes it cleanly.
import { EnvError, loadEnv } from '../env';
import { READY_PREFIX } from './launcher';

async function main(argv: string[]): Promise<number> {
  let env;
  try {
    env = loadEnv(process.env, { dev: false });
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`proofhub instance: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const { startHub } = await import('../hub');
  const hub = await startHub({ env, next: !argv.includes('--api-only') });
  process.stdout.write(`${READY_PREFIX}${hub.port}\n`);
  return new Promise<number>((resolve) => {
    const stop = () => {
      hub.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`proofhub instance: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
