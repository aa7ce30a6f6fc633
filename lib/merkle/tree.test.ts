// The whole-tree functions against the RFC 9162 recursive definitions (testing/reference.ts):
// every size 0..70 exhaustively, then random larger trees.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes';
import { EMPTY_ROOT } from './hashing';
import { testLeaves, unwrap } from './testing/helpers';
import { referenceConsistency, referencePath, referenceRoot } from './testing/reference';
import { consistencyProof, inclusionProof, rootOf } from './tree';
import { verifyConsistency, verifyInclusion } from './verify';

const hex = (hashes: readonly Uint8Array[]): string[] => hashes.map(bytesToHex);
const LEAVES = testLeaves(2100);

describe('whole-tree functions equal the RFC 9162 definitions', () => {
  it('for every size 0..70, every index and every pair of sizes', () => {
    const referenceRoots = Array.from({ length: 71 }, (_, n) => referenceRoot(LEAVES.slice(0, n)));
    for (let n = 0; n <= 70; n++) {
      const leaves = LEAVES.slice(0, n);
      const root = unwrap(rootOf(leaves));
      expect(bytesToHex(root)).toBe(bytesToHex(referenceRoots[n] as Uint8Array));
      for (let m = 0; m < n; m++) {
        const proof = unwrap(inclusionProof(leaves, m, n));
        expect(hex(proof.path)).toEqual(hex(referencePath(m, leaves)));
        expect(verifyInclusion({ leafHash: leaves[m] as Uint8Array, index: m, size: n, path: proof.path, root }).ok).toBe(true);
      }
      for (let m = 1; m <= n; m++) {
        const proof = unwrap(consistencyProof(leaves, m, n));
        expect(hex(proof.path)).toEqual(hex(referenceConsistency(m, leaves)));
        const oldRoot = referenceRoots[m] as Uint8Array;
        expect(verifyConsistency({ from: m, to: n, oldRoot, newRoot: root, path: proof.path }).ok).toBe(true);
      }
    }
  });

  it('for random larger trees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 71, max: 2100 }), fc.nat(), fc.nat(), (n, a, b) => {
        const leaves = LEAVES.slice(0, n);
        const index = a % n;
        const from = 1 + (b % n);
        expect(hex(unwrap(inclusionProof(leaves, index, n)).path)).toEqual(hex(referencePath(index, leaves)));
        expect(hex(unwrap(consistencyProof(leaves, from, n)).path)).toEqual(hex(referenceConsistency(from, leaves)));
        expect(bytesToHex(unwrap(rootOf(LEAVES, n)))).toBe(bytesToHex(referenceRoot(leaves)));
      }),
      { numRuns: 40 },
    );
  });
});

describe('whole-tree functions refuse bad arguments with a code', () => {
  const leaves = LEAVES.slice(0, 5);
  const code = (result: { ok: boolean; error?: { code: string } }): string | undefined => result.error?.code;

  it('roots', () => {
    expect(bytesToHex(unwrap(rootOf(leaves, 0)))).toBe(bytesToHex(EMPTY_ROOT));
    expect(code(rootOf(leaves, 6))).toBe('bad_size');
    expect(code(rootOf(leaves, -1))).toBe('bad_size');
    expect(code(rootOf(leaves, 1.5))).toBe('bad_size');
    expect(code(rootOf([...leaves, new Uint8Array(31)]))).toBe('bad_hash_length');
    // Only the leaves inside the requested size are read.
    expect(rootOf([...leaves, new Uint8Array(31)], 5).ok).toBe(true);
    expect(code(rootOf('nope' as unknown as Uint8Array[]))).toBe('malformed');
  });

  it('inclusion proofs', () => {
    expect(code(inclusionProof(leaves, 5, 5))).toBe('index_out_of_range');
    expect(code(inclusionProof(leaves, -1, 5))).toBe('index_out_of_range');
    expect(code(inclusionProof(leaves, 0, 0))).toBe('index_out_of_range');
    expect(code(inclusionProof(leaves, 0, 6))).toBe('bad_size');
    expect(code(inclusionProof(leaves, Number.NaN, 5))).toBe('index_out_of_range');
  });

  it('consistency proofs', () => {
    expect(code(consistencyProof(leaves, 0, 5))).toBe('bad_size');
    expect(code(consistencyProof(leaves, 4, 3))).toBe('bad_size');
    expect(code(consistencyProof(leaves, 1, 6))).toBe('bad_size');
    expect(unwrap(consistencyProof(leaves, 5, 5)).path).toEqual([]);
  });
});
