// The committed chain of one validator: the store's committed blocks plus the RFC 9162 Merkle log
// of their leaves, rebuilt in memory at start (MerkleLog answers inclusion and consistency proofs
// for any past size). Commits are applied to the log synchronously, in consensus order, and written
// to the store by one queue; readers (RPC, the commit stream) see a block only once it is on disk.
import { randomBytes } from 'node:crypto';
import { bytesEqual } from '@/lib/bytes';
import { type Block, leafHashOf, leafIdKey, type QuorumCert } from '@/lib/consensus';
import { HashIndex, HashList, MerkleLog, type Hasher } from '@/lib/merkle';
import { hexOf } from './hex';
import { type ChainIdentity, type CommittedBlockRecord, committedRecordToJson, parseCommittedRecord } from './records';
import { type CommittedBlockWrite, StoreError, type ValidatorStore } from './store';

export interface LedgerHead {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly hashHex: string;
  readonly block: Block;
  /** The commit certificate of this block (its committed_hash is this block's hash). */
  readonly certificate: QuorumCert;
  readonly treeSize: number;
  readonly root: Uint8Array;
  /** The stored JSON record (served as-is). */
  readonly json: string;
}

export type CommitListener = (height: number, json: string) => void;

export class Ledger {
  readonly log: MerkleLog;
  readonly #store: ValidatorStore;
  readonly #identity: ChainIdentity;
  readonly #hasher: Hasher;
  readonly #listeners = new Set<CommitListener>();
  /**
   * Lookups in the applied log without a disk read, for the mempool, POST /leaves, the consensus
   * rules (isCommittedId) and inclusion proofs: the proof ids in log order, and HashIndex tables
   * from a proof id or a leaf hash (the log's own level 0) to the log index. ~80 bytes a leaf.
   */
  readonly #ids = new HashList();
  readonly #byId: HashIndex;
  readonly #byLeafHash: HashIndex;
  /** Head applied to the log (consensus order); may be ahead of what is on disk. */
  #applied: { height: number; hash: Uint8Array } = { height: 0, hash: new Uint8Array(32) };
  /** Head on disk: what readers see. Null until the first commit. */
  #published: LedgerHead | null = null;
  #writes: Promise<void> = Promise.resolve();
  #writeError: Error | null = null;

  private constructor(store: ValidatorStore, identity: ChainIdentity, hasher: Hasher, log: MerkleLog, salt: number) {
    this.#store = store;
    this.#identity = identity;
    this.#hasher = hasher;
    this.log = log;
    const ids = this.#ids;
    this.#byId = new HashIndex((index) => (index < ids.count ? ids.get(index) : undefined), { salt, initialSlots: 2 * log.size });
    this.#byLeafHash = new HashIndex((index) => log.leafHashAt(index), { salt: ~salt, initialSlots: 2 * log.size });
  }

  /** Adds leaf `index` (already appended to the log) to the lookups. */
  #index(index: number, id: Uint8Array, hash: Uint8Array): void {
    this.#ids.push(id);
    this.#byId.add(id, index);
    this.#byLeafHash.add(hash, index);
  }

  /** Opens the ledger over a store: reads the head and rebuilds the Merkle log from the stored leaves. */
  static async open(store: ValidatorStore, identity: ChainIdentity, hasher: Hasher, genesisHash: Uint8Array): Promise<Ledger> {
    const hashes: Uint8Array[] = [];
    const ids: (Uint8Array | null)[] = [];
    for await (const leaf of store.leaves()) {
      hashes.push(leaf.hash);
      ids.push(leaf.id);
    }
    // A store written before session 9 keeps its leaves' proof ids in `id/` entries.
    if (ids.includes(null)) {
      for await (const { id, index } of store.legacyProofIds()) if (index < ids.length && ids[index] === null) ids[index] = id;
    }
    const log = MerkleLog.fromLeafHashes(hashes, { hasher });
    const ledger = new Ledger(store, identity, hasher, log, randomSalt());
    ids.forEach((id, index) => {
      if (id === null) throw new StoreError('store_corrupt', `leaf ${index} has no proof id`);
      ledger.#index(index, id, hashes[index] as Uint8Array);
    });
    ledger.#applied = { height: 0, hash: genesisHash };
    const head = await store.readHead();
    if (head === null) {
      if (log.size !== 0) throw new StoreError('store_corrupt', `store holds ${log.size} leaves but no committed head`);
      return ledger;
    }
    const json = await store.readBlockJson(head.height);
    if (json === null) throw new StoreError('store_corrupt', `head block ${head.height} is missing`);
    const record = parseCommittedRecord(identity, JSON.parse(json));
    if (typeof record === 'string') throw new StoreError('store_corrupt', `head block ${head.height}: ${record}`);
    if (record.certificate === null) throw new StoreError('store_corrupt', `head block ${head.height} has no commit certificate`);
    const { size, root } = record.block.treeHead;
    if (log.size !== size || !bytesEqual(log.root(), root)) {
      throw new StoreError('store_corrupt', `stored leaves give tree ${log.size} but head block ${head.height} claims ${size}`);
    }
    ledger.#applied = { height: record.height, hash: record.hash };
    ledger.#published = ledger.#headOf(record, record.certificate, json);
    return ledger;
  }

  /** Height of the last block applied (committed by consensus, perhaps not yet on disk). */
  get appliedHeight(): number {
    return this.#applied.height;
  }

  get appliedHash(): Uint8Array {
    return this.#applied.hash;
  }

  /** The head on disk, or null before the first commit. */
  get head(): LedgerHead | null {
    return this.#published;
  }

  /** Height on disk (0 before the first commit). */
  get height(): number {
    return this.#published?.height ?? 0;
  }

  onCommit(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Whether a proof id is in the applied log. */
  isCommittedId(id: Uint8Array): boolean {
    return this.#byId.has(id);
  }

  /** Log index of the leaf with this proof id in the applied log. */
  indexOfProofId(id: Uint8Array): number | undefined {
    return this.#byId.get(id);
  }

  /** Log index of the leaf with this leaf hash in the applied log. */
  indexOfLeafHash(hash: Uint8Array): number | undefined {
    return this.#byLeafHash.get(hash);
  }

  get committedIdCount(): number {
    return this.#byId.size;
  }

  /**
   * Applies committed blocks (ascending, hash-linked to the applied head; the last one certified
   * by `certificate`) to the log and queues their write. Throws if a block's tree head does not
   * match the log: consensus validated it, so a mismatch is a bug and the process must stop.
   * Returns the committed leaves' proof ids (leafIdKey).
   */
  apply(blocks: readonly Block[], hashes: readonly Uint8Array[], certificate: QuorumCert): { ids: string[] } {
    this.#throwIfWriteFailed();
    const writes: CommittedBlockWrite[] = [];
    const heads: { height: number; hash: Uint8Array; block: Block; json: string }[] = [];
    const committedIds: string[] = [];
    const lastHeight = blocks[blocks.length - 1]?.height ?? 0;
    blocks.forEach((block, i) => {
      const hash = hashes[i] as Uint8Array;
      if (block.height !== this.#applied.height + 1 || !bytesEqual(block.parent, this.#applied.hash)) {
        throw new Error(`commit of height ${block.height} does not extend the applied head ${this.#applied.height}`);
      }
      const firstLeafIndex = this.log.size;
      const leafHashes: Uint8Array[] = [];
      for (const leaf of block.leaves) {
        // Computed once per leaf object: at admission for pooled leaves, else when the block validated.
        const hashOfLeaf = leafHashOf(leaf, this.#hasher);
        this.#index(this.log.append(hashOfLeaf), leaf.id, hashOfLeaf);
        leafHashes.push(hashOfLeaf);
        committedIds.push(leafIdKey(leaf.id));
      }
      if (this.log.size !== block.treeHead.size || !bytesEqual(this.log.root(), block.treeHead.root)) {
        throw new Error(`block ${block.height}: its tree head does not match the log after its leaves`);
      }
      const last = i === blocks.length - 1;
      const json = committedRecordToJson(this.#identity, block, hash, last ? certificate : null, lastHeight);
      writes.push({ height: block.height, hash: hexOf(hash), json, firstLeafIndex, leafHashes, leafIds: block.leaves.map((leaf) => leaf.id) });
      heads.push({ height: block.height, hash, block, json });
      this.#applied = { height: block.height, hash };
    });
    const lastHead = heads[heads.length - 1];
    this.#writes = this.#writes
      .then(() => this.#store.appendCommitted(writes))
      .then(() => {
        if (lastHead) this.#published = this.#headOf(lastHead, certificate, lastHead.json);
        for (const { height, json } of heads) {
          for (const listener of this.#listeners) {
            try {
              listener(height, json);
            } catch {
              // A subscriber's failure (e.g. a closed stream) is not the ledger's.
            }
          }
        }
      })
      .catch((error: unknown) => {
        this.#writeError = error instanceof Error ? error : new Error(String(error));
      });
    return { ids: committedIds };
  }

  /** Resolves when every queued commit is on disk; rejects if a write failed. */
  async flush(): Promise<void> {
    await this.#writes;
    this.#throwIfWriteFailed();
  }

  readBlock(height: number): Promise<string | null> {
    if (height > this.height) return Promise.resolve(null);
    return this.#store.readBlockJson(height);
  }

  readBlocks(from: number, limit: number): Promise<string[]> {
    const available = this.height - from + 1;
    if (available <= 0) return Promise.resolve([]);
    return this.#store.readBlocksFrom(from, Math.min(limit, available));
  }

  #throwIfWriteFailed(): void {
    if (this.#writeError) throw new StoreError('store_unavailable', `writing committed blocks failed: ${this.#writeError.message}`);
  }

  #headOf(record: Pick<CommittedBlockRecord, 'height' | 'hash' | 'block'>, certificate: QuorumCert, json: string): LedgerHead {
    return {
      height: record.height,
      hash: record.hash,
      hashHex: hexOf(record.hash),
      block: record.block,
      certificate,
      treeSize: record.block.treeHead.size,
      root: record.block.treeHead.root,
      json,
    };
  }
}

/** The HashIndex salt: random per process, so no one can pick ids that crowd one probe run. */
function randomSalt(): number {
  return randomBytes(4).readUInt32LE(0);
}
