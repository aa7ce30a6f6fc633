// Whole-tree functions over an in-memory list of leaf hashes: O(n) hashes per call. For a log that
// keeps growing, use MerkleLog (proofs in O(log n)); these serve tools (the CLI), tests and small
// one-off trees. Results, not exceptions, for bad sizes and indexes.
import { fail, ok, type Result } from '../errors';
import { defaultHasher, emptyRoot, type Hasher, isHash, isList, NodeHasher } from './hashing';
import { consistencyRanges, inclusionRanges, type LeafRange } from './structure';
import type { ConsistencyProof, InclusionProof, MerkleErrorCode } from './types';

/**
 * MTH(D[start:end]) (RFC 9162 §2.1.1) for end > start, without recursion: a stack of complete
 * subtree hashes, merged whenever the two on top cover the same number of leaves; the leftover
 * stack (one subtree per set bit of the width, largest first) is then folded from the right.
 */
function hashRange(leaves: readonly Uint8Array[], range: LeafRange, nodes: NodeHasher): Uint8Array {
  const hashes: Uint8Array[] = [];
  const widths: number[] = [];
  for (let i = range.start; i < range.end; i++) {
    let hash = leaves[i] as Uint8Array;
    let width = 1;
    while (widths.length > 0 && widths[widths.length - 1] === width) {
      hash = nodes.hash(hashes.pop() as Uint8Array, hash);
      widths.pop();
      width *= 2;
    }
    hashes.push(hash);
    widths.push(width);
  }
  let root = hashes.pop() as Uint8Array;
  while (hashes.length > 0) root = nodes.hash(hashes.pop() as Uint8Array, root);
  return root;
}

function checkLeaves(leafHashes: readonly Uint8Array[], size: number): Result<true, MerkleErrorCode> {
  if (!isList(leafHashes)) return fail('malformed', 'leafHashes must be an array');
  for (let i = 0; i < size; i++) {
    if (!isHash(leafHashes[i])) return fail('bad_hash_length', `leaf hash ${i} is not 32 bytes`);
  }
  return ok(true);
}

function checkSize(size: number, available: number, name = 'size'): Result<true, MerkleErrorCode> {
  if (!Number.isSafeInteger(size) || size < 0) return fail('bad_size', `${name} must be a non-negative safe integer`);
  if (size > available) return fail('bad_size', `${name} ${size} exceeds the ${available} leaves given`);
  return ok(true);
}

/** Root of the tree of the first size leaf hashes (default: all); EMPTY_ROOT for size 0. */
export function rootOf(leafHashes: readonly Uint8Array[], size?: number, hasher: Hasher = defaultHasher): Result<Uint8Array, MerkleErrorCode> {
  const n = size ?? (isList(leafHashes) ? leafHashes.length : 0);
  const sized = checkSize(n, isList(leafHashes) ? leafHashes.length : 0);
  if (!sized.ok) return sized;
  const checked = checkLeaves(leafHashes, n);
  if (!checked.ok) return checked;
  if (n === 0) return ok(emptyRoot());
  return ok(hashRange(leafHashes, { start: 0, end: n }, new NodeHasher(hasher)));
}

/** Inclusion proof (RFC 9162 §2.1.3.1) for leaf index in the tree of the first size leaf hashes. */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number, size: number, hasher: Hasher = defaultHasher): Result<InclusionProof, MerkleErrorCode> {
  const sized = checkSize(size, isList(leafHashes) ? leafHashes.length : 0);
  if (!sized.ok) return sized;
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) return fail('index_out_of_range', `index must be in [0, ${size})`);
  const checked = checkLeaves(leafHashes, size);
  if (!checked.ok) return checked;
  const nodes = new NodeHasher(hasher);
  const path = inclusionRanges(index, size).map((range) => hashRange(leafHashes, range, nodes));
  return ok({ index, size, path });
}

/** Consistency proof (RFC 9162 §2.1.4.1) between the trees of the first from and to leaf hashes; 0 < from ≤ to. */
export function consistencyProof(leafHashes: readonly Uint8Array[], from: number, to: number, hasher: Hasher = defaultHasher): Result<ConsistencyProof, MerkleErrorCode> {
  const sized = checkSize(to, isList(leafHashes) ? leafHashes.length : 0, 'to');
  if (!sized.ok) return sized;
  if (!Number.isSafeInteger(from) || from < 1 || from > to) return fail('bad_size', `from must be in [1, ${to}]`);
  const checked = checkLeaves(leafHashes, to);
  if (!checked.ok) return checked;
  const nodes = new NodeHasher(hasher);
  const path = consistencyRanges(from, to).map((range) => hashRange(leafHashes, range, nodes));
  return ok({ from, to, path });
}
