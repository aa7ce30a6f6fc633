// MerkleLog against the whole-tree functions: every proof and root for every past size of a
// 70-leaf log, sampled ones on a larger log, frontiers, store repair, and copies not views.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes';
import { EMPTY_ROOT, type Hasher } from './hashing';
import { MerkleLog } from './log';
import { InMemoryNodeStore } from './store';
import { testLeaves, unwrap } from './testing/helpers';
import { consistencyProof, inclusionProof, rootOf } from './tree';

const hex = (hashes: readonly Uint8Array[]): string[] => hashes.map(bytesToHex);
/** node:crypto, returning a plain Uint8Array like server/crypto/sha256-node.ts (lib may not import server/). */
const nodeCryptoHasher: Hasher = { sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()) };
/** Returns node Buffers, whose slice() is a view: the log must still hand out real copies. */
const bufferHasher: Hasher = { sha256: (data) => createHash('sha256').update(data).digest() };

describe('MerkleLog', () => {
  it('gives, for every past size of a 70-leaf log, the roots and proofs of the whole-tree functions', () => {
    // node:crypto on both sides keeps this exhaustive check fast; the hasher is not under test.
    const leaves = testLeaves(70);
    const log = new MerkleLog({ hasher: nodeCryptoHasher });
    const rootsSeen: string[] = [bytesToHex(log.root())];
    for (const leaf of leaves) {
      expect(log.append(leaf)).toBe(log.size - 1);
      rootsSeen.push(bytesToHex(log.root()));
    }
    for (let size = 0; size <= 70; size++) {
      const expectedRoot = bytesToHex(unwrap(rootOf(leaves, size, nodeCryptoHasher)));
      expect(bytesToHex(unwrap(log.rootAt(size)))).toBe(expectedRoot);
      expect(rootsSeen[size]).toBe(expectedRoot);
      expect(bytesToHex(unwrap(log.frontier(size)).root())).toBe(expectedRoot);
      for (let index = 0; index < size; index++) {
        expect(hex(unwrap(log.inclusionProof(index, size)).path)).toEqual(hex(unwrap(inclusionProof(leaves, index, size, nodeCryptoHasher)).path));
      }
      for (let from = 1; from <= size; from++) {
        expect(hex(unwrap(log.consistencyProof(from, size)).path)).toEqual(hex(unwrap(consistencyProof(leaves, from, size, nodeCryptoHasher)).path));
      }
    }
    expect(log.treeHead()).toEqual({ size: 70, root: unwrap(rootOf(leaves)) });
    expect(bytesToHex(unwrap(log.frontier()).root())).toBe(bytesToHex(log.root()));
    expect(bytesToHex(log.leafHashAt(69) as Uint8Array)).toBe(bytesToHex(leaves[69] as Uint8Array));
  });

  it('gives the same proofs as the whole-tree functions on a larger log, for sampled past sizes', () => {
    const leaves = testLeaves(3000, 1);
    const log = MerkleLog.fromLeafHashes(leaves, { hasher: nodeCryptoHasher });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.nat(), fc.nat(), (size, a, b) => {
        const index = a % size;
        const from = 1 + (b % size);
        expect(hex(unwrap(log.inclusionProof(index, size)).path)).toEqual(hex(unwrap(inclusionProof(leaves, index, size, nodeCryptoHasher)).path));
        expect(hex(unwrap(log.consistencyProof(from, size)).path)).toEqual(hex(unwrap(consistencyProof(leaves, from, size, nodeCryptoHasher)).path));
        expect(bytesToHex(unwrap(log.rootAt(size)))).toBe(bytesToHex(unwrap(rootOf(leaves, size, nodeCryptoHasher))));
      }),
      { numRuns: 25 },
    );
  });

  it('stores about two hashes per leaf', () => {
    const store = new InMemoryNodeStore();
    const log = MerkleLog.fromLeafHashes(testLeaves(1000), { store });
    expect(log.size).toBe(1000);
    let nodes = 0;
    for (let level = 0; store.count(level) > 0; level++) {
      expect(store.count(level)).toBe(Math.floor(1000 / 2 ** level));
      nodes += store.count(level);
    }
    expect(nodes).toBeLessThan(2 * 1000);
  });

  it('computes the same tree with node:crypto as with the default hasher', () => {
    const leaves = testLeaves(33);
    const a = MerkleLog.fromLeafHashes(leaves);
    const b = MerkleLog.fromLeafHashes(leaves, { hasher: nodeCryptoHasher });
    expect(bytesToHex(b.root())).toBe(bytesToHex(a.root()));
    expect(hex(unwrap(b.consistencyProof(5)).path)).toEqual(hex(unwrap(a.consistencyProof(5)).path));
  });

  it.each([['noble', undefined], ['Buffer-returning', bufferHasher]])('hands out copies: mutating a returned hash leaves the log intact (%s hasher)', (_name, hasher) => {
    const leaves = testLeaves(8);
    const log = MerkleLog.fromLeafHashes(leaves, { hasher });
    const before = bytesToHex(log.root());
    log.root().fill(0);
    unwrap(log.rootAt(4)).fill(0);
    (log.leafHashAt(3) as Uint8Array).fill(0);
    for (const hash of unwrap(log.inclusionProof(0)).path) hash.fill(0);
    for (const hash of unwrap(log.consistencyProof(4)).path) hash.fill(0);
    unwrap(log.frontier(4)).hashes.forEach((hash) => hash.fill(0));
    const leaf = new Uint8Array(leaves[0] as Uint8Array);
    log.append(leaf);
    leaf.fill(0);
    expect(bytesToHex(unwrap(log.rootAt(8)))).toBe(before);
    expect(bytesToHex(log.leafHashAt(8) as Uint8Array)).toBe(bytesToHex(leaves[0] as Uint8Array));
    expect(bytesToHex(unwrap(log.rootAt(9)))).toBe(bytesToHex(unwrap(rootOf([...leaves, leaves[0] as Uint8Array]))));
    const root9 = bytesToHex(log.root());
    log.root().fill(0);
    expect(bytesToHex(log.root())).toBe(root9);
  });

  it('refuses sizes beyond the log and indexes outside the tree', () => {
    const log = MerkleLog.fromLeafHashes(testLeaves(5));
    const code = (result: { ok: boolean; error?: { code: string } }): string | undefined => result.error?.code;
    expect(code(log.rootAt(6))).toBe('bad_size');
    expect(code(log.rootAt(-1))).toBe('bad_size');
    expect(bytesToHex(unwrap(log.rootAt(0)))).toBe(bytesToHex(EMPTY_ROOT));
    expect(code(log.inclusionProof(5))).toBe('index_out_of_range');
    expect(code(log.inclusionProof(2, 2))).toBe('index_out_of_range');
    expect(code(log.inclusionProof(0, 6))).toBe('bad_size');
    expect(code(log.consistencyProof(0))).toBe('bad_size');
    expect(code(log.consistencyProof(3, 2))).toBe('bad_size');
    expect(code(log.consistencyProof(1, 9))).toBe('bad_size');
    expect(code(log.frontier(6))).toBe('bad_size');
    expect(log.leafHashAt(5)).toBeUndefined();
    expect(() => log.append(new Uint8Array(31))).toThrow(RangeError);
    expect(log.size).toBe(5);
  });

  it('resumes a store and repairs subtrees a crash left out', () => {
    const leaves = testLeaves(13);
    const store = new InMemoryNodeStore();
    for (const leaf of leaves) store.push(0, leaf); // leaves only, as after a crash mid-append
    const log = new MerkleLog({ store });
    expect(log.size).toBe(13);
    expect(bytesToHex(log.root())).toBe(bytesToHex(unwrap(rootOf(leaves))));
    expect(store.count(1)).toBe(6);
    expect(store.count(3)).toBe(1);
    // Appends after resuming merge against the store's right edge.
    const more = testLeaves(40, 9);
    for (const leaf of more.slice(0, 20)) log.append(leaf);
    expect(bytesToHex(log.root())).toBe(bytesToHex(unwrap(rootOf([...leaves, ...more.slice(0, 20)]))));
    const reopened = new MerkleLog({ store });
    for (const leaf of more.slice(20)) reopened.append(leaf);
    expect(bytesToHex(reopened.root())).toBe(bytesToHex(unwrap(rootOf([...leaves, ...more]))));
    expect(hex(unwrap(reopened.consistencyProof(13)).path)).toEqual(hex(unwrap(consistencyProof([...leaves, ...more], 13, 53)).path));
  });

  it('refuses a corrupt store', () => {
    const store = new InMemoryNodeStore();
    for (const leaf of testLeaves(3)) store.push(0, leaf);
    store.push(1, new Uint8Array(32));
    store.push(1, new Uint8Array(32));
    expect(() => new MerkleLog({ store })).toThrow(RangeError);
  });
});
