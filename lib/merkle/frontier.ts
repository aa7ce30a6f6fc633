// The compact frontier of a Merkle tree: the roots of the perfect subtrees that make up a tree of
// n leaves, one per set bit of n, largest (leftmost) first. That is all a validator needs to
// recompute a block's tree head from its parent's: append the block's leaves, take the root.
// O(log n) hashes of state, O(1) amortized hashes per append, O(log n) for the root.
import { bytesToHex, hexToBytes } from '../bytes';
import { fail, ok, type Result } from '../errors';
import { copyHash, defaultHasher, emptyRoot, type Hasher, isHash, isList, NodeHasher } from './hashing';
import { popCount } from './structure';
import type { MerkleErrorCode, TreeHead } from './types';
import { frontierJsonSchema, type FrontierJson } from './wire';

export class MerkleFrontier {
  #size: number;
  /** Subtree roots, largest first; their widths are the set bits of #size, high to low. */
  readonly #hashes: Uint8Array[];
  readonly #nodes: NodeHasher;

  private constructor(size: number, hashes: Uint8Array[], hasher: Hasher) {
    this.#size = size;
    this.#hashes = hashes;
    this.#nodes = new NodeHasher(hasher);
  }

  /** The frontier of the empty tree. */
  static empty(hasher: Hasher = defaultHasher): MerkleFrontier {
    return new MerkleFrontier(0, [], hasher);
  }

  /** A frontier from its parts: size leaves, one 32-byte subtree root per set bit of size. */
  static fromHashes(size: number, hashes: readonly Uint8Array[], hasher: Hasher = defaultHasher): Result<MerkleFrontier, MerkleErrorCode> {
    if (!Number.isSafeInteger(size) || size < 0) return fail('bad_size', 'size must be a non-negative safe integer');
    if (!isList(hashes)) return fail('malformed', 'hashes must be an array');
    const expected = popCount(size);
    if (hashes.length !== expected) return fail('wrong_path_length', `a frontier of size ${size} has ${expected} hashes, got ${hashes.length}`);
    for (let i = 0; i < hashes.length; i++) {
      if (!isHash(hashes[i])) return fail('bad_hash_length', `hash ${i} is not 32 bytes`);
    }
    return ok(new MerkleFrontier(size, hashes.map(copyHash), hasher));
  }

  /** Parses the JSON form `{ size, hashes: [hex…] }` (see toJSON); never throws. */
  static fromJSON(json: unknown, hasher: Hasher = defaultHasher): Result<MerkleFrontier, MerkleErrorCode> {
    const parsed = frontierJsonSchema.safeParse(json);
    if (!parsed.success) return fail('malformed', `not a frontier: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return MerkleFrontier.fromHashes(parsed.data.size, parsed.data.hashes.map(hexToBytes), hasher);
  }

  get size(): number {
    return this.#size;
  }

  /** Copies of the subtree roots, largest first. */
  get hashes(): Uint8Array[] {
    return this.#hashes.map(copyHash);
  }

  /**
   * Appends one 32-byte leaf hash; returns its index. Merges as many subtrees as the old size has
   * trailing one bits (one on average). Throws RangeError on a hash that is not 32 bytes.
   */
  append(leafHash: Uint8Array): number {
    if (!isHash(leafHash)) throw new RangeError('leaf hash must be 32 bytes');
    const index = this.#size;
    let hash: Uint8Array = copyHash(leafHash);
    for (let n = index; n % 2 === 1; n = (n - 1) / 2) {
      hash = this.#nodes.hash(this.#hashes.pop() as Uint8Array, hash);
    }
    this.#hashes.push(hash);
    this.#size = index + 1;
    return index;
  }

  /** MTH of the whole tree: the subtree roots folded from the right (RFC 9162 §2.1.1). */
  root(): Uint8Array {
    const hashes = this.#hashes;
    let root = hashes[hashes.length - 1];
    if (root === undefined) return emptyRoot();
    for (let i = hashes.length - 2; i >= 0; i--) root = this.#nodes.hash(hashes[i] as Uint8Array, root);
    return root === hashes[hashes.length - 1] ? copyHash(root) : root;
  }

  treeHead(): TreeHead {
    return { size: this.#size, root: this.root() };
  }

  /** An independent copy, e.g. to build a proposed block on a parent's frontier. */
  clone(): MerkleFrontier {
    return new MerkleFrontier(this.#size, this.#hashes.map(copyHash), this.#nodes.hasher);
  }

  toJSON(): FrontierJson {
    return { size: this.#size, hashes: this.#hashes.map(bytesToHex) };
  }
}
