// `npm start` runs the validators beside the hub (issue 4): a 4-validator devnet in
// DATA_DIR/devnet on ports 26657… (workers/devnet.ts), or nothing to launch when CHAIN_GENESIS +
// CHAIN_RPC name validators on their own hosts. The source starts in the background so the hub
// serves at once; the chain service waits for `ready` and proofs accepted meanwhile are submitted
// when it resolves (they wait in the database as `signed`).
import type { Logger } from 'pino';
import { startDevnet } from '@/workers/devnet';
import type { Devnet } from '@/workers/devnet';
import { externalChainConfig } from './config';
import type { ChainConfig, ChainEnv } from './config';

export interface ChainSource {
  /** The validators to use, or null when the chain could not start (the hub runs without it). */
  readonly ready: Promise<ChainConfig | null>;
  /** Stops the devnet, if this source started one. */
  stop(): Promise<void>;
}

export interface DevnetSupervisorOptions {
  /** Forwarded to startDevnet (tests shorten block times). */
  readonly devnet?: { timeoutMs?: number; blockTimeMs?: number; idleBlockMs?: number; logLevel?: string; readyTimeoutMs?: number };
}

/** Starts (or points at) the validators for chain; null for `off`. Never throws: failures are logged. */
export function startChainSource(chain: ChainEnv, logger: Logger, options: DevnetSupervisorOptions = {}): ChainSource | null {
  if (chain.kind === 'off') return null;
  if (chain.kind === 'external') {
    const ready = externalChainConfig(chain.genesisPath, chain.rpcUrls).catch((error: unknown) => {
      logger.error({ err: error, genesis: chain.genesisPath }, 'chain: cannot read CHAIN_GENESIS; running without the chain');
      return null;
    });
    return { ready, stop: () => Promise.resolve() };
  }
  let devnet: Devnet | null = null;
  let stopped = false;
  // A busy machine can take minutes to start four processes; the hub serves meanwhile anyway.
  const ready = startDevnet({ dir: chain.dir, basePort: chain.basePort, logLevel: 'warn', readyTimeoutMs: 300_000, ...options.devnet }).then(
    async (started): Promise<ChainConfig | null> => {
      devnet = started;
      if (stopped) {
        await started.stop();
        return null;
      }
      logger.info({ dir: started.dir, urls: started.urls }, 'chain: devnet running');
      return { genesis: started.genesis, genesisPath: started.genesisPath, urls: [...started.urls] };
    },
    (error: unknown) => {
      logger.error({ err: error, dir: chain.dir, basePort: chain.basePort }, 'chain: the devnet did not start; running without the chain');
      return null;
    },
  );
  return {
    ready,
    async stop() {
      stopped = true;
      await ready;
      if (devnet !== null) await devnet.stop();
      devnet = null;
    },
  };
}
