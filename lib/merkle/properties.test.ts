// fast-check properties of generated proofs: each verifies, and any tampering fails. A changed
// index or size fails too, unless it makes the verifier do exactly the same hashing (RFC 9162
// proofs bind the size only through the signed tree head): the test derives that case from the
// RFC's recursive definitions (testing/reference.ts), independently of the verifier's bit tricks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MerkleLog } from './log';
import { consistencyPattern, inclusionPattern } from './testing/reference';
import { testLeaves, unwrap } from './testing/helpers';
import { verifyConsistency, verifyInclusion, type ConsistencyClaim, type InclusionClaim } from './verify';

const MAX = 1500;
const LEAVES = testLeaves(MAX, 3);
const LOG = MerkleLog.fromLeafHashes(LEAVES);

/** Flips one bit (0..255) of a copy of a 32-byte hash. */
function flip(hash: Uint8Array, bit: number): Uint8Array {
  const copy = hash.slice();
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
}

const inclusionClaim = fc
  .integer({ min: 1, max: MAX })
  .chain((size) => fc.record({ size: fc.constant(size), index: fc.integer({ min: 0, max: size - 1 }) }))
  .map(({ size, index }): InclusionClaim => ({
    leafHash: LEAVES[index] as Uint8Array,
    index,
    size,
    path: unwrap(LOG.inclusionProof(index, size)).path,
    root: unwrap(LOG.rootAt(size)),
  }));

const consistencyClaim = fc
  .integer({ min: 1, max: MAX })
  .chain((to) => fc.record({ to: fc.constant(to), from: fc.integer({ min: 1, max: to }) }))
  .map(({ from, to }): ConsistencyClaim => ({
    from,
    to,
    oldRoot: unwrap(LOG.rootAt(from)),
    newRoot: unwrap(LOG.rootAt(to)),
    path: unwrap(LOG.consistencyProof(from, to)).path,
  }));

const RUNS = { numRuns: 300 };

describe('inclusion proofs', () => {
  it('every generated proof verifies', () => {
    fc.assert(fc.property(inclusionClaim, (claim) => {
      expect(verifyInclusion(claim)).toEqual({ ok: true, value: true });
    }), RUNS);
  });

  it('flipping any bit of the path, the root or the leaf makes it fail', () => {
    fc.assert(fc.property(inclusionClaim, fc.nat(), fc.integer({ min: 0, max: 255 }), (claim, which, bit) => {
      const targets = claim.path.length + 2;
      const target = which % targets;
      let tampered: InclusionClaim;
      if (target < claim.path.length) {
        tampered = { ...claim, path: claim.path.map((hash, i) => (i === target ? flip(hash, bit) : hash)) };
      } else if (target === claim.path.length) {
        tampered = { ...claim, root: flip(claim.root, bit) };
      } else {
        tampered = { ...claim, leafHash: flip(claim.leafHash, bit) };
      }
      const result = verifyInclusion(tampered);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error.code).toBe('root_mismatch');
    }), RUNS);
  });

  it('dropping, adding or reordering path elements makes it fail', () => {
    fc.assert(fc.property(inclusionClaim, fc.nat(), (claim, pick) => {
      const path = [...claim.path];
      const variants: Uint8Array[][] = [[...path, claim.root], [claim.leafHash, ...path]];
      if (path.length > 0) variants.push(path.slice(1), path.slice(0, -1));
      if (path.length > 1 && !path.every((hash) => hash === path[0])) {
        const i = pick % (path.length - 1);
        const swapped = [...path];
        [swapped[i], swapped[i + 1]] = [swapped[i + 1] as Uint8Array, swapped[i] as Uint8Array];
        variants.push(swapped);
      }
      for (const variant of variants) expect(verifyInclusion({ ...claim, path: variant }).ok).toBe(false);
    }), RUNS);
  });

  it('another index or size fails unless the RFC recursion gives it the same hashing pattern', () => {
    fc.assert(fc.property(inclusionClaim, fc.integer({ min: -2, max: 2 * MAX }), fc.integer({ min: -2, max: 2 * MAX }), (claim, otherIndex, otherSize) => {
      const pattern = inclusionPattern(claim.index, claim.size);
      const sameHashing = (index: number, size: number): boolean => index >= 0 && index < size && inclusionPattern(index, size) === pattern;
      if (otherIndex !== claim.index) {
        expect(verifyInclusion({ ...claim, index: otherIndex }).ok).toBe(sameHashing(otherIndex, claim.size));
      }
      if (otherSize !== claim.size) {
        expect(verifyInclusion({ ...claim, size: otherSize }).ok).toBe(sameHashing(claim.index, otherSize));
      }
    }), RUNS);
  });

  it('index+1, index-1, size*2 and size/2 (the published tamperings) always fail', () => {
    fc.assert(fc.property(inclusionClaim.filter((claim) => claim.size > 1), (claim) => {
      for (const index of [claim.index + 1, claim.index - 1]) expect(verifyInclusion({ ...claim, index }).ok).toBe(false);
      for (const size of [claim.size * 2, Math.floor(claim.size / 2)]) expect(verifyInclusion({ ...claim, size }).ok).toBe(false);
    }), RUNS);
  });
});

describe('consistency proofs', () => {
  it('every generated proof verifies', () => {
    fc.assert(fc.property(consistencyClaim, (claim) => {
      expect(verifyConsistency(claim)).toEqual({ ok: true, value: true });
    }), RUNS);
  });

  it('flipping any bit of the path or of either root makes it fail', () => {
    fc.assert(fc.property(consistencyClaim, fc.nat(), fc.integer({ min: 0, max: 255 }), (claim, which, bit) => {
      const target = which % (claim.path.length + 2);
      let tampered: ConsistencyClaim;
      if (target < claim.path.length) {
        tampered = { ...claim, path: claim.path.map((hash, i) => (i === target ? flip(hash, bit) : hash)) };
      } else if (target === claim.path.length) {
        tampered = { ...claim, oldRoot: flip(claim.oldRoot, bit) };
      } else {
        tampered = { ...claim, newRoot: flip(claim.newRoot, bit) };
      }
      expect(verifyConsistency(tampered).ok).toBe(false);
    }), RUNS);
  });

  it('another pair of sizes fails unless the RFC recursion gives it the same hashing pattern', () => {
    fc.assert(fc.property(consistencyClaim, fc.integer({ min: -2, max: 2 * MAX }), fc.integer({ min: -2, max: 2 * MAX }), (claim, otherFrom, otherTo) => {
      const pattern = consistencyPattern(claim.from, claim.to);
      const sameHashing = (from: number, to: number): boolean => from >= 1 && from <= to && consistencyPattern(from, to) === pattern;
      if (otherFrom !== claim.from) {
        expect(verifyConsistency({ ...claim, from: otherFrom }).ok).toBe(sameHashing(otherFrom, claim.to));
      }
      if (otherTo !== claim.to) {
        expect(verifyConsistency({ ...claim, to: otherTo }).ok).toBe(sameHashing(claim.from, otherTo));
      }
    }), RUNS);
  });

  it('swapping the roots of different trees makes it fail', () => {
    fc.assert(fc.property(consistencyClaim.filter((claim) => claim.from < claim.to), (claim) => {
      expect(verifyConsistency({ ...claim, oldRoot: claim.newRoot, newRoot: claim.oldRoot }).ok).toBe(false);
    }), RUNS);
  });
});

describe('verification never throws', () => {
  const junk = fc.oneof(fc.anything(), fc.uint8Array({ maxLength: 40 }), fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 4 }));
  it('on any input', () => {
    fc.assert(fc.property(junk, junk, junk, junk, junk, (a, b, c, d, e) => {
      const inclusion = verifyInclusion({ leafHash: a, index: b, size: c, path: d, root: e } as unknown as InclusionClaim);
      const consistency = verifyConsistency({ from: a, to: b, oldRoot: c, newRoot: d, path: e } as unknown as ConsistencyClaim);
      expect(typeof inclusion.ok).toBe('boolean');
      expect(typeof consistency.ok).toBe('boolean');
    }), { numRuns: 500 });
    expect(verifyInclusion(null as unknown as InclusionClaim).ok).toBe(false);
    expect(verifyConsistency(undefined as unknown as ConsistencyClaim).ok).toBe(false);
  });
});
