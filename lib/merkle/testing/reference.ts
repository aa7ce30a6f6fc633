// Test-only reference: the recursive definitions of RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and
// §2.1.4.1 (PROOF/SUBPROOF), transcribed literally with array slices and its own hashing, so the
// fast code is checked against the RFC's text rather than against itself. O(n) per call or worse.
import { sha256 } from '@noble/hashes/sha2.js';

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** k: the largest power of two smaller than n (n > 1). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D) over leaves given as data: MTH({}) = SHA-256(), MTH({d}) = SHA-256(0x00 || d). */
export function referenceLeafHash(data: Uint8Array): Uint8Array {
  return sha256(concat(Uint8Array.of(0), data));
}

/** MTH(D[n]) where D is given by its leaf hashes (MTH({d}) already applied). */
export function referenceRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  const n = leafHashes.length;
  if (n === 0) return sha256(new Uint8Array(0));
  if (n === 1) return leafHashes[0] as Uint8Array;
  const k = largestPowerOfTwoBelow(n);
  return sha256(concat(Uint8Array.of(1), referenceRoot(leafHashes.slice(0, k)), referenceRoot(leafHashes.slice(k))));
}

/** PATH(m, D[n]). */
export function referencePath(m: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  const n = leafHashes.length;
  if (n === 1) return [];
  const k = largestPowerOfTwoBelow(n);
  if (m < k) return [...referencePath(m, leafHashes.slice(0, k)), referenceRoot(leafHashes.slice(k))];
  return [...referencePath(m - k, leafHashes.slice(k)), referenceRoot(leafHashes.slice(0, k))];
}

function subproof(m: number, leafHashes: readonly Uint8Array[], b: boolean): Uint8Array[] {
  const n = leafHashes.length;
  if (m === n) return b ? [] : [referenceRoot(leafHashes)];
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) return [...subproof(m, leafHashes.slice(0, k), b), referenceRoot(leafHashes.slice(k))];
  return [...subproof(m - k, leafHashes.slice(k), false), referenceRoot(leafHashes.slice(0, k))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), 0 < m ≤ n. */
export function referenceConsistency(m: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  return subproof(m, leafHashes, true);
}

/**
 * What a verifier's computation depends on, read off the PATH recursion: for each path element,
 * bottom first, whether it is the left ('L') or right ('R') sibling. Two (index, size) pairs with
 * the same pattern make the RFC verifier do the same hashing, so a proof verifies for both.
 */
export function inclusionPattern(m: number, n: number): string {
  if (n === 1) return '';
  const k = largestPowerOfTwoBelow(n);
  return m < k ? `${inclusionPattern(m, k)}R` : `${inclusionPattern(m - k, n - k)}L`;
}

/** The SUBPROOF recursion's shape: '*' first when the old root is not itself a path node (seeded from the path). */
export function consistencyPattern(m: number, n: number, b = true): string {
  if (m === n) return b ? '' : '*';
  const k = largestPowerOfTwoBelow(n);
  return m <= k ? `${consistencyPattern(m, k, b)}R` : `${consistencyPattern(m - k, n - k, false)}L`;
}
