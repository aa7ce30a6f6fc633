// Test support: a validator set with real Ed25519 keys (noble signer, One-Ed25519-rule verifier),
// real Merkle payload rules, and a small synchronous driver that delivers every message at once.
// Unit tests script exact situations with it; the simulator (sim/) covers faults at scale.
import { utf8Encode } from '../bytes';
import { nobleVerifier, publicKeyFromSeed, signEd25519 } from '../crypto/ed25519';
import { createConsensusState, step, type ConsensusState } from './core';
import { hashBytes } from './encoding';
import { createMerklePayloadRules } from './payload';
import type { ConsensusConfig, ConsensusEffect, ConsensusInput, LogLeaf, PayloadRules, UnsafeKnobs } from './types';

export interface TestCluster {
  readonly chainId: Uint8Array;
  readonly validators: readonly Uint8Array[];
  readonly rules: PayloadRules;
  readonly configs: readonly ConsensusConfig[];
  /** Signs with validator i's key. */
  sign(i: number, message: Uint8Array): Uint8Array;
  /** Fresh leaves correctly signed by client keys. */
  leaves(count: number): LogLeaf[];
}

export function createTestCluster(n: number, options: { unsafe?: UnsafeKnobs; baseTimeoutMs?: number } = {}): TestCluster {
  const seeds = Array.from({ length: n }, (_, i) => hashBytes(utf8Encode(`proofhub/test/validator/${i}`)));
  const validators = seeds.map((seed) => publicKeyFromSeed(seed));
  const chainId = hashBytes(utf8Encode('proofhub/test/chain'));
  const rules = createMerklePayloadRules({ verifier: nobleVerifier, maxLeavesPerBlock: 16 });
  const clientSeed = hashBytes(utf8Encode('proofhub/test/client'));
  const clientKey = publicKeyFromSeed(clientSeed);
  let counter = 0;
  const sign = (i: number, message: Uint8Array) => signEd25519(seeds[i] as Uint8Array, message);
  const configs = validators.map(
    (_, self): ConsensusConfig => ({
      chainId,
      validators,
      self,
      sign: (message) => sign(self, message),
      verifier: nobleVerifier,
      payload: rules,
      pacemaker: { baseTimeoutMs: options.baseTimeoutMs ?? 1000, maxBackoffExponent: 4 },
      maxLeavesPerBlock: 16,
      maxSyncBlocks: 64,
      ...(options.unsafe ? { unsafe: options.unsafe } : {}),
    }),
  );
  return {
    chainId,
    validators,
    rules,
    configs,
    sign,
    leaves(count) {
      return Array.from({ length: count }, () => {
        const id = hashBytes(utf8Encode(`proofhub/test/leaf/${counter++}`));
        return { publicKey: clientKey, id, sig: signEd25519(clientSeed, id) };
      });
    },
  };
}

export interface DriveLog {
  /** Every (node, input, effects) step in order. */
  readonly steps: { readonly node: number; readonly input: ConsensusInput; readonly effects: readonly ConsensusEffect[] }[];
  readonly commits: Extract<ConsensusEffect, { kind: 'commit' }>[][];
}

/**
 * Starts every node and delivers all messages (FIFO), answering payload requests with `leavesPerBlock`
 * leaves, until every node has committed `height` or `maxSteps` steps ran. Timers never fire.
 */
export function driveToHeight(cluster: TestCluster, height: number, options: { leavesPerBlock?: number; maxSteps?: number } = {}): { states: ConsensusState[]; log: DriveLog } {
  const states = cluster.configs.map((config) => createConsensusState(config));
  const log: DriveLog = { steps: [], commits: states.map(() => []) };
  const queue: { node: number; input: ConsensusInput }[] = states.map((_, node) => ({ node, input: { kind: 'start' } }));
  const maxSteps = options.maxSteps ?? 2000;
  for (let count = 0; count < maxSteps && queue.length > 0; count++) {
    if (states.every((state) => state.committed.block.height >= height)) break;
    const { node, input } = queue.shift() as { node: number; input: ConsensusInput };
    const result = step(states[node] as ConsensusState, input);
    states[node] = result.state;
    log.steps.push({ node, input, effects: result.effects });
    for (const effect of result.effects) {
      switch (effect.kind) {
        case 'send':
          queue.push({ node: effect.to, input: { kind: 'message', from: node, message: effect.message } });
          break;
        case 'broadcast':
          for (let to = 0; to < states.length; to++) if (to !== node) queue.push({ node: to, input: { kind: 'message', from: node, message: effect.message } });
          break;
        case 'requestPayload':
          queue.push({ node, input: { kind: 'payload', view: effect.view, leaves: cluster.leaves(options.leavesPerBlock ?? 1) } });
          break;
        case 'commit':
          log.commits[node]?.push(effect);
          break;
        default:
          break;
      }
    }
  }
  return { states, log };
}
