// The hub's own copy of the certified log (RFC 9162, lib/merkle MerkleLog): rebuilt from
// chain_leaves at start, extended by the commit follower, and on instances that do not follow,
// caught up from the database before it answers. Every use runs under one lock so an append and a
// catch-up never interleave.
import { hexToBytes } from '@/lib/bytes';
import { MerkleLog } from '@/lib/merkle';
import { nodeHasher } from '../crypto/sha256-node';
import type { Db } from '../db/types';

const PAGE = 10_000;

export class LogMirror {
  #log = new MerkleLog({ hasher: nodeHasher });
  #tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Db) {}

  /** Runs fn with the log, alone. */
  run<T>(fn: (log: MerkleLog) => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(() => fn(this.#log));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Appends the leaves the database holds beyond the log's size; returns the log, alone. */
  sync<T>(fn: (log: MerkleLog) => Promise<T> | T): Promise<T> {
    return this.run(async (log) => {
      await this.#catchUp(log);
      return fn(log);
    });
  }

  /** Throws the in-memory log away (after a failed write) and rebuilds it from the database. */
  reset(): Promise<void> {
    return this.run(async () => {
      this.#log = new MerkleLog({ hasher: nodeHasher });
      await this.#catchUp(this.#log);
    });
  }

  async #catchUp(log: MerkleLog): Promise<void> {
    for (;;) {
      const rows = await this.db.chainLeaf.findMany({ where: { leafIndex: { gte: BigInt(log.size) } }, orderBy: { leafIndex: 'asc' }, take: PAGE, select: { leafIndex: true, leafHash: true } });
      for (const row of rows) {
        if (Number(row.leafIndex) !== log.size) throw new Error(`chain_leaves has a gap at index ${log.size}`);
        log.append(hexToBytes(row.leafHash));
      }
      if (rows.length < PAGE) return;
    }
  }
}
