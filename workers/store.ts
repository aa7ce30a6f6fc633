// The validator's LevelDB store (classic-level): committed blocks with their commit certificates,
// the log leaves' hashes and indexes (the Merkle log is rebuilt from them at start and answers
// proofs for any past size), and the safety record.
//
// Durability: the safety record is written with `sync: true` (fsync of LevelDB's write-ahead log)
// and the caller awaits it before any vote or timeout it covers leaves the process (CONSENSUS.md,
// safety rule 3). Committed blocks are written without fsync: LevelDB hands every record to the
// OS before the write returns, so a killed process loses none; after a power loss a validator
// re-fetches what it lost from its peers (catch-up), which is safe because those blocks carry
// their certificates.
//
// Layout (utf8 keys, sortable: numbers are zero-padded decimal):
//   meta                 JSON {version, genesis_hash, chain_id}
//   safety               "PHS1" ‖ SHA-256(json) ‖ json (the core's safety record)
//   head                 JSON {height, hash}: the last committed block
//   block/<height:12>    JSON of the committed block with its commit certificate (wire form)
//   hash/<hex>           height of the committed block with that hash
//   leaf/<index:15>      leaf hash ‖ proof id (32 + 32 bytes) of log leaf index
//   pending/<height:12>/<hash>  an uncommitted block this validator voted for (storeBlock effect)
//
// Lookups by leaf hash or proof id are answered from memory (the ledger's HashIndex tables, rebuilt
// from the leaf/ entries at start): the per-leaf `lh/<hex>` and `id/<hex>` index keys this store
// wrote until session 9 were random keys, and inserting and compacting them cost more CPU than the
// rest of a commit. A store written before keeps them; the ledger reads its old `id/` entries once
// at start (leaf/ values there are the 32-byte hash alone) and ignores `lh/`.
import { ClassicLevel } from 'classic-level';
import { bytesEqual, concatBytes, utf8Decode, utf8Encode } from '@/lib/bytes';
import { sha256 } from '@/lib/crypto/sha256';

const STORE_VERSION = 1;
const SAFETY_MAGIC = utf8Encode('PHS1');

export type SafetyRecordRead =
  | { readonly status: 'ok'; readonly record: unknown }
  | { readonly status: 'missing' }
  | { readonly status: 'damaged'; readonly reason: string };

export interface StoredHead {
  readonly height: number;
  readonly hash: string;
}

/** What the store keeps of one committed block. */
export interface CommittedBlockWrite {
  readonly height: number;
  /** Block hash, lowercase hex. */
  readonly hash: string;
  /** The block with its commit certificate, as served on RPC and to catching-up peers. */
  readonly json: string;
  /** Log index of the block's first leaf (the tree size before the block). */
  readonly firstLeafIndex: number;
  /** Leaf hashes (32 bytes each) and proof ids, in log order. */
  readonly leafHashes: readonly Uint8Array[];
  readonly leafIds: readonly Uint8Array[];
}

export class StoreError extends Error {
  constructor(readonly code: 'store_wrong_chain' | 'store_corrupt' | 'store_unavailable', message: string) {
    super(message);
  }
}

function pad(value: number, width: number): string {
  return value.toString().padStart(width, '0');
}

const blockKey = (height: number): string => `block/${pad(height, 12)}`;
const leafKey = (index: number): string => `leaf/${pad(index, 15)}`;
const pendingPrefix = (height: number): string => `pending/${pad(height, 12)}/`;

/** An uncommitted block written beside the safety record (block-codec.ts binary form). */
export interface PendingBlockWrite {
  readonly height: number;
  readonly hash: string;
  readonly bytes: Uint8Array;
}

export class ValidatorStore {
  readonly #db: ClassicLevel<string, Uint8Array>;
  /** True when this open created the store (no earlier run used this directory). */
  fresh = false;
  /**
   * Keys of the pending blocks on disk, by height: a commit deletes those at or below its height
   * in its own write batch (a range clear after every commit cost a second LevelDB operation).
   */
  readonly #pending = new Map<string, number>();

  private constructor(db: ClassicLevel<string, Uint8Array>) {
    this.#db = db;
  }

  /** Opens (creating if needed) the store at path, bound to one genesis. */
  static async open(path: string, genesis: { hash: string; chainId: string }): Promise<ValidatorStore> {
    const db = new ClassicLevel<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' });
    try {
      await db.open();
    } catch (error) {
      throw new StoreError('store_unavailable', `cannot open store at ${path}: ${(error as Error).message} (is another validator using it?)`);
    }
    const store = new ValidatorStore(db);
    const meta = await db.get('meta');
    if (meta === undefined) {
      store.fresh = true;
      await db.put('meta', utf8Encode(JSON.stringify({ version: STORE_VERSION, genesis_hash: genesis.hash, chain_id: genesis.chainId })), { sync: true });
    } else {
      let parsed: { version?: unknown; genesis_hash?: unknown };
      try {
        parsed = JSON.parse(utf8Decode(meta)) as typeof parsed;
      } catch {
        await db.close();
        throw new StoreError('store_corrupt', `store at ${path} has an unreadable meta record`);
      }
      if (parsed.genesis_hash !== genesis.hash) {
        await db.close();
        throw new StoreError('store_wrong_chain', `store at ${path} belongs to genesis ${String(parsed.genesis_hash)}, not ${genesis.hash}`);
      }
    }
    for await (const key of db.keys({ gte: 'pending/', lt: 'pending0' })) store.#pending.set(key, Number(key.slice('pending/'.length, 'pending/'.length + 12)));
    return store;
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  // ---- safety record ----

  /**
   * Writes the safety record and fsyncs it. The caller must await this before sending the vote
   * or timeout the record covers.
   */
  async writeSafety(record: unknown, blocks: readonly PendingBlockWrite[] = []): Promise<void> {
    const json = utf8Encode(JSON.stringify(record));
    const batch = this.#db.batch();
    // Blocks the core stores before the vote ride in the same fsynced batch: after a crash of
    // every validator at once, the certified but uncommitted blocks must still exist somewhere.
    for (const block of blocks) batch.put(this.#pendingKey(block), block.bytes);
    batch.put('safety', concatBytes(SAFETY_MAGIC, sha256(json), json));
    await batch.write({ sync: true });
  }

  /** Writes blocks the core asked to store (storeBlock effects), fsynced. */
  async writePendingBlocks(blocks: readonly PendingBlockWrite[]): Promise<void> {
    if (blocks.length === 0) return;
    const batch = this.#db.batch();
    for (const block of blocks) batch.put(this.#pendingKey(block), block.bytes);
    await batch.write({ sync: true });
  }

  #pendingKey(block: PendingBlockWrite): string {
    const key = `${pendingPrefix(block.height)}${block.hash}`;
    this.#pending.set(key, block.height);
    return key;
  }

  /** Uncommitted blocks kept for restarts, above `height`, ascending by height. */
  async readPendingBlocks(height: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for await (const value of this.#db.values({ gte: pendingPrefix(height + 1), lt: 'pending0' })) out.push(new Uint8Array(value));
    return out;
  }

  async readSafety(): Promise<SafetyRecordRead> {
    const value = await this.#db.get('safety');
    if (value === undefined) return { status: 'missing' };
    if (value.length < SAFETY_MAGIC.length + 32 || !bytesEqual(value.subarray(0, 4), SAFETY_MAGIC)) {
      return { status: 'damaged', reason: 'unknown record format' };
    }
    const checksum = value.subarray(4, 36);
    const json = value.subarray(36);
    if (!bytesEqual(sha256(json), checksum)) return { status: 'damaged', reason: 'checksum mismatch' };
    try {
      return { status: 'ok', record: JSON.parse(utf8Decode(json)) as unknown };
    } catch {
      return { status: 'damaged', reason: 'record is not JSON' };
    }
  }

  /** Test and repair hook: overwrite the raw safety bytes (used to simulate a torn write). */
  async writeRawSafety(bytes: Uint8Array | null): Promise<void> {
    if (bytes === null) await this.#db.del('safety', { sync: true });
    else await this.#db.put('safety', bytes, { sync: true });
  }

  // ---- committed chain ----

  async readHead(): Promise<StoredHead | null> {
    const value = await this.#db.get('head');
    if (value === undefined) return null;
    const parsed = JSON.parse(utf8Decode(value)) as StoredHead;
    return { height: parsed.height, hash: parsed.hash };
  }

  /** Appends committed blocks in one atomic batch; heights must follow the stored head. */
  async appendCommitted(blocks: readonly CommittedBlockWrite[]): Promise<void> {
    if (blocks.length === 0) return;
    const batch = this.#db.batch();
    for (const block of blocks) {
      batch.put(blockKey(block.height), utf8Encode(block.json));
      batch.put(`hash/${block.hash}`, utf8Encode(String(block.height)));
      block.leafHashes.forEach((hash, offset) => {
        const entry = new Uint8Array(64);
        entry.set(hash);
        entry.set(block.leafIds[offset] as Uint8Array, 32);
        batch.put(leafKey(block.firstLeafIndex + offset), entry);
      });
    }
    const last = blocks[blocks.length - 1] as CommittedBlockWrite;
    batch.put('head', utf8Encode(JSON.stringify({ height: last.height, hash: last.hash })));
    // Pending copies at committed heights are now either committed or dead forks.
    const pruned: string[] = [];
    for (const [key, height] of this.#pending) if (height <= last.height) pruned.push(key);
    for (const key of pruned) batch.del(key);
    await batch.write();
    for (const key of pruned) this.#pending.delete(key);
  }

  async readBlockJson(height: number): Promise<string | null> {
    const value = await this.#db.get(blockKey(height));
    return value === undefined ? null : utf8Decode(value);
  }

  async heightOfHash(hashHex: string): Promise<number | null> {
    const value = await this.#db.get(`hash/${hashHex}`);
    return value === undefined ? null : Number(utf8Decode(value));
  }

  /**
   * Every stored leaf in log order: its hash, and its proof id (null for a leaf written before
   * session 9, whose id is in the store's old `id/` entries: see legacyProofIds).
   */
  async *leaves(): AsyncGenerator<{ hash: Uint8Array; id: Uint8Array | null }> {
    for await (const value of this.#db.values({ gte: 'leaf/', lt: 'leaf0' })) {
      if (value.length === 64) yield { hash: value.slice(0, 32), id: value.slice(32, 64) };
      else if (value.length === 32) yield { hash: value.slice(), id: null };
      else throw new StoreError('store_corrupt', `a leaf entry holds ${value.length} bytes`);
    }
  }

  /** The proof ids of a store written before session 9 (`id/<hex>` → log index), in key order. */
  async *legacyProofIds(): AsyncGenerator<{ id: Uint8Array; index: number }> {
    for await (const [key, value] of this.#db.iterator({ gte: 'id/', lt: 'id0' })) {
      yield { id: new Uint8Array(Buffer.from(key.slice(3), 'hex')), index: Number(utf8Decode(value)) };
    }
  }

  /** Committed block JSON from height `from`, at most limit of them. */
  async readBlocksFrom(from: number, limit: number): Promise<string[]> {
    const out: string[] = [];
    for await (const value of this.#db.values({ gte: blockKey(from), lt: 'block0', limit })) out.push(utf8Decode(value));
    return out;
  }
}
