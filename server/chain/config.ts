// Where the hub's validators come from (docs/chain-anchoring.md, "Configuration"): a 4-validator
// devnet that `npm start` runs beside the hub in DATA_DIR/devnet (the default), validators on
// their own hosts named by CHAIN_GENESIS + CHAIN_RPC, or none (PROOFHUB_DEVNET=0).
import { join } from 'node:path';
import { hexToBytes } from '@/lib/bytes';
import { blockHash, genesisBlock, validatorSetHash } from '@/lib/consensus';
import type { PinnedValidatorSet } from '@/lib/consensus';
import { EMPTY_ROOT } from '@/lib/merkle';
import { readGenesisFile } from '@/workers/genesis';
import type { Genesis } from '@/workers/genesis';
import type { ChainIdentity } from '@/workers/records';

export type ChainEnv =
  | { kind: 'off' }
  | { kind: 'devnet'; dir: string; basePort: number }
  | { kind: 'external'; genesisPath: string; rpcUrls: string[] };

/** What the hub's chain service needs: the pinned genesis and the validators' RPC URLs. */
export interface ChainConfig {
  genesis: Genesis;
  genesisPath: string;
  /** RPC base URLs (validator order for a devnet; CHAIN_RPC order otherwise). */
  urls: string[];
}

/** The checks a light client pins, derived once from genesis. */
export interface ChainPins {
  pinned: PinnedValidatorSet;
  identity: ChainIdentity;
  /** Hash of the genesis block: the parent of block 1. */
  genesisBlockHash: Uint8Array;
}

export function chainPins(genesis: Genesis): ChainPins {
  const chainId = hexToBytes(genesis.hash);
  const validators = genesis.validators.map((validator) => validator.publicKey);
  const setHash = validatorSetHash(validators);
  return {
    pinned: { chainId, validators },
    identity: { chainId, setHash },
    genesisBlockHash: blockHash(genesisBlock({ size: 0, root: EMPTY_ROOT.slice() }), chainId, setHash),
  };
}

export function devnetDir(dataDir: string): string {
  return join(dataDir, 'devnet');
}

export async function externalChainConfig(genesisPath: string, urls: string[]): Promise<ChainConfig> {
  return { genesis: await readGenesisFile(genesisPath), genesisPath, urls: urls.map((url) => url.replace(/\/$/, '')) };
}
