// One web instance of a cluster (server/cluster/launcher.ts spawns these): the hub on the port
// it is given, Next.js unless --api-only (REST + Socket.IO only: tests and bench:load). Prints
// `proofhub instance ready port=N` once it serves; SIGTERM closes it cleanly.
import pino from 'pino';
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
  const { startChainSource } = await import('../chain/devnet-supervisor');
  // Validators are shared by every instance (CHAIN_GENESIS + CHAIN_RPC; npm run cluster starts
  // one devnet and passes them): each instance submits the proofs it stores, and the one holding
  // the follower lock follows the commits (server/chain/leader-lock.ts). An instance never starts
  // a devnet of its own: N instances would make N chains.
  const chain = env.chain.kind === 'external' ? startChainSource(env.chain, pino({ level: env.logLevel })) : null;
  const hub = await startHub({ env, next: !argv.includes('--api-only'), chain });
  process.stdout.write(`${READY_PREFIX}${hub.port}\n`);
  return new Promise<number>((resolve) => {
    const stop = () => {
      hub.close().then(
        () => chain?.stop(),
      ).then(
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
