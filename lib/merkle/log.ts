// An append-only RFC 9162 Merkle log. Each append stores the leaf hash and every perfect subtree
// it completes (one node hash on average, at most log2 n), so the hash of any subtree that an
// inclusion or consistency proof needs, for the current or ANY past tree size, is one stored node
// or a fold of at most log2 n of them: proofs and past roots cost O(log n) reads and hashes.
import { fail, ok, type Result } from '../errors';
import { copyHash, defaultHasher, emptyRoot, HASH_SIZE, type Hasher, isHash, NodeHasher } from './hashing';
import { MerkleFrontier } from './frontier';
import { InMemoryNodeStore, type MerkleNodeStore } from './store';
import { consistencyRanges, frontierRanges, inclusionRanges, type LeafRange } from './structure';
import type { ConsistencyProof, InclusionProof, MerkleErrorCode, TreeHead } from './types';

export interface MerkleLogOptions {
  /** SHA-256 implementation (default @noble/hashes; the server passes node:crypto's). */
  readonly hasher?: Hasher;
  /** Where node hashes live (default a fresh InMemoryNodeStore). A non-empty store is resumed. */
  readonly store?: MerkleNodeStore;
}

export class MerkleLog {
  readonly #store: MerkleNodeStore;
  readonly #nodes: NodeHasher;
  #size: number;
  #root: Uint8Array | undefined;
  /**
   * The pending left sibling on each level: the last node of level l when that level holds an
   * odd number of nodes, else undefined. Appends merge against these, so the hot path never reads
   * the store (a persistent store needs no read cache for appends). Level 0 uses #pendingLeaf, a
   * private copy of the caller's leaf; higher levels hold hasher outputs, which nothing mutates.
   */
  readonly #edge: Array<Uint8Array | undefined> = [];
  readonly #pendingLeaf = new Uint8Array(HASH_SIZE);

  /**
   * Opens a log over store. A store left half-written (leaves whose completed subtrees were not
   * all pushed, e.g. after a crash) is repaired by pushing the missing nodes; a store with more
   * nodes on a level than its leaves allow is corrupt and throws.
   */
  constructor(options: MerkleLogOptions = {}) {
    this.#store = options.store ?? new InMemoryNodeStore();
    this.#nodes = new NodeHasher(options.hasher ?? defaultHasher);
    this.#size = this.#store.count(0);
    this.#repair();
    for (let level = 0, n = this.#size; n > 0; level++, n = Math.floor(n / 2)) {
      if (n % 2 === 1) this.#edge[level] = copyHash(this.#store.get(level, n - 1));
    }
    if (this.#edge[0] !== undefined) {
      this.#pendingLeaf.set(this.#edge[0]);
      this.#edge[0] = this.#pendingLeaf;
    }
  }

  /** A log holding leafHashes, in order. */
  static fromLeafHashes(leafHashes: Iterable<Uint8Array>, options: MerkleLogOptions = {}): MerkleLog {
    const log = new MerkleLog(options);
    for (const hash of leafHashes) log.append(hash);
    return log;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Appends a 32-byte leaf hash and returns its index. Throws RangeError if it is not 32 bytes
   * (leaf hashes come from leafHash(), never straight from the network).
   */
  append(leafHash: Uint8Array): number {
    if (!isHash(leafHash)) throw new RangeError('leaf hash must be 32 bytes');
    const store = this.#store;
    const edge = this.#edge;
    const index = this.#size;
    store.push(0, leafHash);
    if (index % 2 === 0) {
      this.#pendingLeaf.set(leafHash);
      edge[0] = this.#pendingLeaf;
    } else {
      // The leaf is a right child on each level where its running index n is odd: each such
      // level completes a perfect subtree whose left half is that level's pending node.
      let hash = this.#nodes.hash(this.#pendingLeaf, leafHash);
      edge[0] = undefined;
      let level = 1;
      store.push(level, hash);
      let n = (index - 1) / 2;
      while (n % 2 === 1) {
        hash = this.#nodes.hash(edge[level] as Uint8Array, hash);
        edge[level] = undefined;
        level++;
        store.push(level, hash);
        n = (n - 1) / 2;
      }
      edge[level] = hash;
    }
    this.#size = index + 1;
    this.#root = undefined;
    return index;
  }

  /** The leaf hash at index, or undefined outside [0, size). */
  leafHashAt(index: number): Uint8Array | undefined {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.#size) return undefined;
    return copyHash(this.#store.get(0, index));
  }

  /** Root of the current tree (cached until the next append). */
  root(): Uint8Array {
    this.#root ??= this.#rootOfSize(this.#size);
    return copyHash(this.#root);
  }

  treeHead(): TreeHead {
    return { size: this.#size, root: this.root() };
  }

  /** Root of the tree made of the first size leaves, for any size ≤ the current size. */
  rootAt(size: number): Result<Uint8Array, MerkleErrorCode> {
    const sized = this.#checkSize(size, 'size');
    if (!sized.ok) return sized;
    return ok(size === this.#size ? this.root() : this.#rootOfSize(size));
  }

  /** Inclusion proof (RFC 9162 §2.1.3.1) for leaf index in the tree of size leaves (default: now). */
  inclusionProof(index: number, size: number = this.#size): Result<InclusionProof, MerkleErrorCode> {
    const sized = this.#checkSize(size, 'size');
    if (!sized.ok) return sized;
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) return fail('index_out_of_range', `index must be in [0, ${size})`);
    return ok({ index, size, path: inclusionRanges(index, size).map((range) => this.#hashRange(range)) });
  }

  /** Consistency proof (RFC 9162 §2.1.4.1) between past sizes 0 < from ≤ to (default: now). */
  consistencyProof(from: number, to: number = this.#size): Result<ConsistencyProof, MerkleErrorCode> {
    const sized = this.#checkSize(to, 'to');
    if (!sized.ok) return sized;
    if (!Number.isSafeInteger(from) || from < 1 || from > to) return fail('bad_size', `from must be in [1, ${to}]`);
    return ok({ from, to, path: consistencyRanges(from, to).map((range) => this.#hashRange(range)) });
  }

  /** The compact frontier of the tree of size leaves (default: now), e.g. a block's starting point. */
  frontier(size: number = this.#size): Result<MerkleFrontier, MerkleErrorCode> {
    const sized = this.#checkSize(size, 'size');
    if (!sized.ok) return sized;
    const hashes = frontierRanges(size).map((range) => this.#storedSubtree(range));
    return MerkleFrontier.fromHashes(size, hashes, this.#nodes.hasher);
  }

  #checkSize(size: number, name: string): Result<true, MerkleErrorCode> {
    if (!Number.isSafeInteger(size) || size < 0) return fail('bad_size', `${name} must be a non-negative safe integer`);
    if (size > this.#size) return fail('bad_size', `${name} ${size} is beyond the log size ${this.#size}`);
    return ok(true);
  }

  #rootOfSize(size: number): Uint8Array {
    return size === 0 ? emptyRoot() : this.#hashRange({ start: 0, end: size });
  }

  /** A perfect, aligned subtree: one stored node. */
  #storedSubtree(range: LeafRange): Uint8Array {
    const width = range.end - range.start;
    // Exact: width is a power of two ≤ 2^53.
    return this.#store.get(Math.log2(width), range.start / width);
  }

  /**
   * MTH(D[start:end]) for a range whose start is a multiple of the largest power of two ≤ its
   * width, as every range of an RFC 9162 proof is: split it greedily into stored perfect
   * subtrees, largest first, and fold them from the right (the shape MTH's recursion gives).
   */
  #hashRange(range: LeafRange): Uint8Array {
    const parts: Uint8Array[] = [];
    let start = range.start;
    let width = 1;
    while (width * 2 <= range.end - range.start) width *= 2;
    while (start < range.end) {
      if (start + width <= range.end) {
        parts.push(this.#storedSubtree({ start, end: start + width }));
        start += width;
      }
      width /= 2;
    }
    // A single part is the store's own bytes: hand out a copy, never a view into the store.
    if (parts.length === 1) return copyHash(parts[0] as Uint8Array);
    let hash = parts.pop() as Uint8Array;
    while (parts.length > 0) hash = this.#nodes.hash(parts.pop() as Uint8Array, hash);
    return hash;
  }

  /** Pushes the nodes a crash may have left out; refuses levels with impossible node counts. */
  #repair(): void {
    const store = this.#store;
    for (let level = 0, width = 1; width <= this.#size; level++, width *= 2) {
      const expected = Math.floor(this.#size / width);
      const have = store.count(level + 1);
      const wanted = Math.floor(this.#size / (width * 2));
      if (store.count(level) !== expected) throw new RangeError(`corrupt node store: level ${level} holds ${store.count(level)} nodes, expected ${expected}`);
      if (have > wanted) throw new RangeError(`corrupt node store: level ${level + 1} holds ${have} nodes, expected ${wanted}`);
      for (let i = have; i < wanted; i++) store.push(level + 1, this.#nodes.hash(store.get(level, 2 * i), store.get(level, 2 * i + 1)));
    }
    const top = Math.floor(Math.log2(Math.max(this.#size, 1))) + 1;
    if (store.count(top) !== 0) throw new RangeError(`corrupt node store: level ${top} should be empty`);
  }
}
