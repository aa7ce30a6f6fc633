// The real payload rules: a block's leaves are proofs appended to the RFC 9162 log. Before a
// validator votes, every leaf signature is checked (One Ed25519 rule, through the injected
// verifier) and the tree head is recomputed from the parent's frontier; one bad signature, a
// duplicate, or a wrong size or root and the block gets no vote.
import { bytes32Key, bytesEqual, bytesToHex } from '../bytes';
import type { SignatureVerifier } from '../crypto/types';
import { fail, ok, type Result } from '../errors';
import { defaultHasher, type Hasher, leafHash, MerkleFrontier } from '../merkle';
import type { LogLeaf, PayloadContext, PayloadRules, TreeHead } from './types';

export type PayloadErrorCode =
  | 'too_many_leaves'
  | 'malformed_leaf'
  | 'duplicate_leaf'
  | 'invalid_leaf_signature'
  | 'tree_size_mismatch'
  | 'tree_root_mismatch'
  | 'bad_context';

/** Default cap on leaves per block: at ~8,000 verifies/s per core this is well under a view timeout. */
export const DEFAULT_MAX_LEAVES_PER_BLOCK = 1024;

export interface MerklePayloadOptions {
  readonly verifier: SignatureVerifier;
  readonly hasher?: Hasher;
  readonly maxLeavesPerBlock?: number;
  /**
   * Checks one leaf's signature over its id. Default: `verifier.verify(sig, id, publicKey)`. A
   * worker passes its own to answer from leaves it has itself already verified (at admission) without
   * a second Ed25519 check; whatever it answers must be the verifier's answer for those bytes.
   */
  readonly verifyLeaf?: (leaf: LogLeaf) => boolean;
}

/**
 * Leaf hashes already computed, by leaf object. Leaves are immutable values (like blocks), so the
 * hash of one object never changes; a worker that hands the same leaf objects from its mempool to
 * the proposal it builds, the block it validates and the log it appends to hashes each leaf once.
 * A WeakMap: it holds nothing alive and cannot change any result.
 */
const leafHashMemo = new WeakMap<LogLeaf, Uint8Array>();

/** RFC 9162 leaf hash of a log leaf (SHA-256(0x00 ‖ id ‖ sig)), computed once per leaf object. */
export function leafHashOf(leaf: LogLeaf, hasher: Hasher = defaultHasher): Uint8Array {
  let hash = leafHashMemo.get(leaf);
  if (hash === undefined) {
    hash = leafHash(leaf.id, leaf.sig, hasher);
    leafHashMemo.set(leaf, hash);
  }
  return hash;
}

/** A 32-byte proof id as a Map/Set key (lib/bytes bytes32Key: cheaper than hex, compares by value). */
export function leafIdKey(id: Uint8Array): string {
  return bytes32Key(id);
}

type ResolvedOptions = Required<Omit<MerklePayloadOptions, 'verifier'>>;

function isBytes(value: unknown, length: number): value is Uint8Array {
  return value instanceof Uint8Array && value.length === length;
}

/**
 * Appends checked leaves to a copy of the parent frontier. The frontier is the payload context:
 * the core never mutates a context, so each block keeps its own.
 */
function appendLeaves(
  options: ResolvedOptions,
  parent: PayloadContext,
  leaves: readonly LogLeaf[],
): Result<MerkleFrontier, PayloadErrorCode> {
  if (!(parent instanceof MerkleFrontier)) return fail('bad_context', 'the parent context is not a Merkle frontier');
  if (leaves.length > options.maxLeavesPerBlock) return fail('too_many_leaves', `${leaves.length} leaves exceed ${options.maxLeavesPerBlock}`);
  const seen = new Set<string>();
  const frontier = parent.clone();
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i] as LogLeaf;
    if (!isBytes(leaf.publicKey, 32) || !isBytes(leaf.id, 32) || !isBytes(leaf.sig, 64)) {
      return fail('malformed_leaf', `leaf ${i} must have a 32-byte key, a 32-byte id and a 64-byte signature`);
    }
    const id = leafIdKey(leaf.id);
    if (seen.has(id)) return fail('duplicate_leaf', `leaf ${i} repeats proof ${bytesToHex(leaf.id)}`);
    seen.add(id);
    // A proof's signature is over the 32 id bytes (DESIGN.md, PROOF).
    if (!options.verifyLeaf(leaf)) {
      return fail('invalid_leaf_signature', `leaf ${i} (proof ${bytesToHex(leaf.id)}) has a signature that does not verify`);
    }
    frontier.append(leafHashOf(leaf, options.hasher));
  }
  return ok(frontier);
}

/** PayloadRules for the proofhub log; pass to the consensus config as `payload`. */
export function createMerklePayloadRules(options: MerklePayloadOptions): PayloadRules {
  const verifier = options.verifier;
  const resolved: ResolvedOptions = {
    hasher: options.hasher ?? defaultHasher,
    maxLeavesPerBlock: options.maxLeavesPerBlock ?? DEFAULT_MAX_LEAVES_PER_BLOCK,
    verifyLeaf: options.verifyLeaf ?? ((leaf) => verifier.verify(leaf.sig, leaf.id, leaf.publicKey)),
  };
  return {
    genesis() {
      const frontier = MerkleFrontier.empty(resolved.hasher);
      return { head: frontier.treeHead(), context: frontier };
    },
    validatePayload(parent, leaves, claimed: TreeHead) {
      const appended = appendLeaves(resolved, parent, leaves);
      if (!appended.ok) return appended;
      const frontier = appended.value;
      if (claimed.size !== frontier.size) return fail('tree_size_mismatch', `claimed size ${claimed.size}, recomputed ${frontier.size}`);
      if (!bytesEqual(claimed.root, frontier.root())) return fail('tree_root_mismatch', 'the claimed root is not the root after appending the leaves');
      return ok(frontier);
    },
    buildPayload(parent, leaves) {
      const appended = appendLeaves(resolved, parent, leaves);
      if (!appended.ok) return appended;
      return ok({ head: appended.value.treeHead(), context: appended.value });
    },
  };
}

/** The frontier a worker stores beside its committed head (JSON form of lib/merkle). */
export function frontierOfContext(context: PayloadContext): MerkleFrontier | null {
  return context instanceof MerkleFrontier ? context : null;
}
