// Where a MerkleLog keeps the hashes of its complete subtrees. Level 0 holds the leaf hashes;
// node i of level l is the root of the perfect subtree over leaves [i·2^l, (i+1)·2^l). A log of
// n leaves holds floor(n / 2^l) nodes on level l: about 2n hashes in all, 64 bytes per leaf.
// With them the hash of any subtree a proof needs, for any past tree size, is either one stored
// node or the fold of at most log2(n) of them.
//
// The interface is synchronous and append-only so the append path stays allocation-light. A
// persistent store (LevelDB in the validators) can implement it over a write-behind batch and a
// read cache, or rebuild an InMemoryNodeStore from its leaves at start (1M leaves ≈ 1M hashes).
import { HASH_SIZE } from './hashing';

export interface MerkleNodeStore {
  /** Number of nodes held on level (0 for levels never written). */
  count(level: number): number;
  /**
   * The 32-byte node (level, index), index < count(level). The returned bytes must never change
   * afterwards (callers may keep them); they may be a view into a larger buffer.
   */
  get(level: number, index: number): Uint8Array;
  /** Appends a copy of the 32-byte hash as node count(level) of level. */
  push(level: number, hash: Uint8Array): void;
}

/** Hashes per chunk once a level is large; smaller levels start with a small, doubling chunk. */
const CHUNK_HASHES = 8192;
const FIRST_CHUNK_HASHES = 8;

/** An append-only list of 32-byte values in chunks (a Merkle level; the validators' proof ids). */
export class HashList {
  // Fixed-size chunks: growing never copies more than one chunk, and views handed out by get()
  // stay valid because a chunk's written bytes are never overwritten.
  private readonly chunks: Uint8Array[] = [];
  /** The chunk being filled and the byte offset of its first free slot. */
  private last = new Uint8Array(0);
  private offset = 0;
  count = 0;

  get(index: number): Uint8Array {
    const chunk = this.chunks[Math.floor(index / CHUNK_HASHES)] as Uint8Array;
    const offset = (index % CHUNK_HASHES) * HASH_SIZE;
    return chunk.subarray(offset, offset + HASH_SIZE);
  }

  push(hash: Uint8Array): void {
    // Fast path: room left in the last chunk.
    if (this.offset < this.last.length) {
      this.last.set(hash, this.offset);
      this.offset += HASH_SIZE;
      this.count++;
      return;
    }
    if (this.chunks.length === 1 && this.last.length < CHUNK_HASHES * HASH_SIZE) {
      // Only the first chunk grows (doubling up to CHUNK_HASHES), so small logs stay small.
      const grown = new Uint8Array(Math.min(this.last.length * 2, CHUNK_HASHES * HASH_SIZE));
      grown.set(this.last);
      this.chunks[0] = grown;
      this.last = grown;
    } else {
      this.last = new Uint8Array(this.chunks.length === 0 ? FIRST_CHUNK_HASHES * HASH_SIZE : CHUNK_HASHES * HASH_SIZE);
      this.chunks.push(this.last);
      this.offset = 0;
    }
    this.push(hash);
  }

  bytesAllocated(): number {
    let total = 0;
    for (const chunk of this.chunks) total += chunk.length;
    return total;
  }
}

/** In-memory MerkleNodeStore: 32 bytes per stored hash in 256 KiB chunks, ≈ 64 bytes per leaf. */
export class InMemoryNodeStore implements MerkleNodeStore {
  private readonly levels: HashList[] = [];

  count(level: number): number {
    return this.levels[level]?.count ?? 0;
  }

  get(level: number, index: number): Uint8Array {
    const hashes = this.levels[level];
    if (hashes === undefined || !(index >= 0 && index < hashes.count)) {
      throw new RangeError(`no node ${index} on level ${level}`);
    }
    return hashes.get(index);
  }

  push(level: number, hash: Uint8Array): void {
    if (hash.length !== HASH_SIZE) throw new RangeError(`node hashes are ${HASH_SIZE} bytes, got ${hash.length}`);
    while (this.levels.length <= level) this.levels.push(new HashList());
    (this.levels[level] as HashList).push(hash);
  }

  /** Bytes held by hash buffers (for memory reports). */
  bytesAllocated(): number {
    let total = 0;
    for (const level of this.levels) total += level.bytesAllocated();
    return total;
  }
}
