// Shapes shared by the Merkle functions. Sizes and indexes are plain numbers restricted to safe
// integers (< 2^53): ample for a log, and exact in JSON, in the browser and in Postgres bigint.

/**
 * Stable failure codes (part of the public contract: REST, Socket.IO acks, CLI reports).
 * - bad_size: a tree size is not a safe non-negative integer, or from > to, or from = 0 in a
 *   consistency proof (every tree is consistent with the empty one: nothing to prove).
 * - index_out_of_range: the leaf index is not a safe integer in [0, size).
 * - bad_hash_length: a leaf hash or path element is not a 32-byte Uint8Array (or a root is not a
 *   Uint8Array at all).
 * - wrong_path_length: the path does not have the length RFC 9162 fixes for this index and size.
 * - root_mismatch: the path leads to another root (for a consistency proof: the new root).
 * - old_root_mismatch: a consistency path does not reproduce the old root.
 * - malformed: the input is not the expected shape at all (e.g. path is not an array).
 */
export type MerkleErrorCode =
  | 'bad_size'
  | 'index_out_of_range'
  | 'bad_hash_length'
  | 'wrong_path_length'
  | 'root_mismatch'
  | 'old_root_mismatch'
  | 'malformed';

/** Audit path for the leaf at index in the tree of the first size leaves (RFC 9162 §2.1.3). */
export interface InclusionProof {
  readonly index: number;
  readonly size: number;
  /** Sibling hashes, bottom (leaf level) first, as RFC 9162 §2.1.3.1 orders them. */
  readonly path: readonly Uint8Array[];
}

/** Consistency path between the trees of sizes from ≤ to (RFC 9162 §2.1.4). */
export interface ConsistencyProof {
  readonly from: number;
  readonly to: number;
  readonly path: readonly Uint8Array[];
}

/** A tree head: the root of the tree made of the first size leaves. */
export interface TreeHead {
  readonly size: number;
  readonly root: Uint8Array;
}
