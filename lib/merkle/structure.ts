// Which subtrees make up a proof, independent of where their hashes come from. The whole-tree
// functions (tree.ts) hash the ranges from a list of leaf hashes; MerkleLog (log.ts) reads them
// from its stored complete subtrees. Arithmetic avoids 32-bit bitwise operators so sizes up to
// 2^53 work.

/** A run of leaves [start, end) whose Merkle tree hash is a proof element. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** The largest power of two strictly smaller than n (n ≥ 2): the split point k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/** Number of significant bits of n ≥ 0 (bitLength(0) = 0). */
export function bitLength(n: number): number {
  let bits = 0;
  while (n > 0) {
    n = Math.floor(n / 2);
    bits++;
  }
  return bits;
}

/** Number of set bits of n ≥ 0. */
export function popCount(n: number): number {
  let count = 0;
  while (n > 0) {
    count += n % 2;
    n = Math.floor(n / 2);
  }
  return count;
}

/** n ≥ 1: number of trailing zero bits. */
export function trailingZeros(n: number): number {
  let zeros = 0;
  while (n % 2 === 0) {
    n /= 2;
    zeros++;
  }
  return zeros;
}

/** XOR of two safe non-negative integers, bit by bit (^ truncates to 32 bits). */
function xor(a: number, b: number): number {
  let result = 0;
  let bit = 1;
  while (a > 0 || b > 0) {
    if (a % 2 !== b % 2) result += bit;
    a = Math.floor(a / 2);
    b = Math.floor(b / 2);
    bit *= 2;
  }
  return result;
}

/**
 * Length of the inclusion path for index < size: the levels below the point where the paths to
 * index and size - 1 split, plus one left sibling per set bit above it (the tree's right border).
 */
export function inclusionPathLength(index: number, size: number): number {
  const inner = bitLength(xor(index, size - 1));
  return inner + popCount(Math.floor(index / 2 ** inner));
}

/** Length of the consistency path for 0 < from < to (from = to has an empty path). */
export function consistencyPathLength(from: number, to: number): number {
  if (from === to) return 0;
  const inner = bitLength(xor(from - 1, to - 1));
  const border = popCount(Math.floor((from - 1) / 2 ** inner));
  const shift = trailingZeros(from);
  // When from is a power of two the old root itself seeds the path and is not sent (§2.1.4.2 step 2).
  return (isPowerOfTwo(from) ? 0 : 1) + (inner - shift) + border;
}

/**
 * PATH(m, D[n]) of RFC 9162 §2.1.3.1 as leaf ranges, bottom first. Precondition 0 ≤ index < size.
 * Unrolls the recursion: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, and
 * PATH(m - k, D[k:n]) : MTH(D[0:k]) otherwise; the recursion's deepest element comes first.
 */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  const topDown: LeafRange[] = [];
  let start = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      topDown.push({ start: start + k, end: start + n });
      n = k;
    } else {
      topDown.push({ start, end: start + k });
      start += k;
      m -= k;
      n -= k;
    }
  }
  return topDown.reverse();
}

/**
 * PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1 as leaf ranges, bottom first.
 * Precondition 0 < from ≤ to.
 *   SUBPROOF(m, D[m], true) = {}            SUBPROOF(m, D[m], false) = {MTH(D[m])}
 *   m ≤ k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
 *   m > k: SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
 */
export function consistencyRanges(from: number, to: number): LeafRange[] {
  const topDown: LeafRange[] = [];
  let start = 0;
  let n = to;
  let m = from;
  let isWholeOldTree = true;
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) {
      topDown.push({ start: start + k, end: start + n });
      n = k;
    } else {
      topDown.push({ start, end: start + k });
      start += k;
      m -= k;
      n -= k;
      isWholeOldTree = false;
    }
  }
  if (!isWholeOldTree) topDown.push({ start, end: start + n });
  return topDown.reverse();
}

/** The complete subtrees (sizes: the set bits of size, largest first) that make up a tree of size leaves. */
export function frontierRanges(size: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let start = 0;
  let width = 2 ** (bitLength(size) - 1);
  while (start < size) {
    if (start + width <= size) {
      ranges.push({ start, end: start + width });
      start += width;
    }
    width /= 2;
  }
  return ranges;
}
