// Proof verification exactly as RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) write
// it, step by step. Input comes from the network, so nothing here throws: every malformed or
// wrong input ends in a Failure with a stable code. The expected path length is checked before
// hashing only to name the failure precisely; the RFC's own loop would reject the same inputs.
import { bytesEqual } from '../bytes';
import { fail, ok, type Result } from '../errors';
import { defaultHasher, type Hasher, isHash, isList, NodeHasher } from './hashing';
import { consistencyPathLength, inclusionPathLength, isPowerOfTwo } from './structure';
import type { MerkleErrorCode } from './types';

export interface InclusionClaim {
  readonly leafHash: Uint8Array;
  readonly index: number;
  readonly size: number;
  readonly path: readonly Uint8Array[];
  readonly root: Uint8Array;
}

export interface ConsistencyClaim {
  readonly from: number;
  readonly to: number;
  readonly oldRoot: Uint8Array;
  readonly newRoot: Uint8Array;
  readonly path: readonly Uint8Array[];
}

type Verdict = Result<true, MerkleErrorCode>;

const isLsbSet = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

function checkPath(path: unknown): Verdict {
  if (!isList(path)) return fail('malformed', 'path must be an array of hashes');
  for (let i = 0; i < path.length; i++) {
    if (!isHash(path[i])) return fail('bad_hash_length', `path[${i}] is not a 32-byte hash`);
  }
  return ok(true);
}

/** Checks that leafHash is the leaf at index of the tree of size leaves whose root is root. */
export function verifyInclusion(claim: InclusionClaim, hasher: Hasher = defaultHasher): Verdict {
  if (typeof claim !== 'object' || claim === null) return fail('malformed', 'claim must be an object');
  const { leafHash, index, size, path, root } = claim;
  if (!Number.isSafeInteger(size) || size < 0) return fail('bad_size', 'size must be a non-negative safe integer');
  // §2.1.3.2 step 1: if leaf_index >= tree_size, fail.
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) return fail('index_out_of_range', `index must be in [0, ${size})`);
  if (!isHash(leafHash)) return fail('bad_hash_length', 'leafHash must be a 32-byte hash');
  if (!(root instanceof Uint8Array)) return fail('bad_hash_length', 'root must be bytes');
  const pathOk = checkPath(path);
  if (!pathOk.ok) return pathOk;
  const expected = inclusionPathLength(index, size);
  if (path.length !== expected) return fail('wrong_path_length', `path has ${path.length} hashes, index ${index} in size ${size} needs ${expected}`);

  const nodes = new NodeHasher(hasher);
  // Step 2: fn = leaf_index, sn = tree_size - 1. Step 3: r = hash.
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  // Step 4: for each p in inclusion_path.
  for (const p of path) {
    // 4a: a path longer than the tree is deep.
    if (sn === 0) return fail('wrong_path_length', 'path is longer than the tree is deep');
    // 4b: p is a left sibling when fn is a right child or fn is the last node of its level.
    if (isLsbSet(fn) || fn === sn) {
      r = nodes.hash(p, r);
      // 4b.ii: climb past the levels where fn is the last node and has no right sibling.
      while (!isLsbSet(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodes.hash(r, p);
    }
    // 4c.
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5: sn must be 0 and r must equal the root.
  if (sn !== 0) return fail('wrong_path_length', 'path is shorter than the tree is deep');
  if (!bytesEqual(r, root)) return fail('root_mismatch', 'path does not lead to the given root');
  return ok(true);
}

/**
 * Checks that the tree of size to with root newRoot extends the tree of size from with root
 * oldRoot. from = to is consistent iff the path is empty and the roots are equal; from = 0 is
 * refused (bad_size): every tree extends the empty one, so such a claim proves nothing.
 */
export function verifyConsistency(claim: ConsistencyClaim, hasher: Hasher = defaultHasher): Verdict {
  if (typeof claim !== 'object' || claim === null) return fail('malformed', 'claim must be an object');
  const { from, to, oldRoot, newRoot, path } = claim;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < 0) return fail('bad_size', 'sizes must be non-negative safe integers');
  if (from > to) return fail('bad_size', `from (${from}) is larger than to (${to})`);
  if (from === 0) return fail('bad_size', 'a consistency proof from the empty tree proves nothing');
  if (!(oldRoot instanceof Uint8Array) || !(newRoot instanceof Uint8Array)) return fail('bad_hash_length', 'roots must be bytes');
  const pathOk = checkPath(path);
  if (!pathOk.ok) return pathOk;
  if (from === to) {
    if (path.length !== 0) return fail('wrong_path_length', 'equal sizes need an empty path');
    if (!bytesEqual(oldRoot, newRoot)) return fail('root_mismatch', 'equal sizes but different roots');
    return ok(true);
  }
  // §2.1.4.2 step 1: an empty path fails (between different sizes).
  const expected = consistencyPathLength(from, to);
  if (path.length !== expected) return fail('wrong_path_length', `path has ${path.length} hashes, sizes ${from}→${to} need ${expected}`);

  const nodes = new NodeHasher(hasher);
  // Step 2: if first is an exact power of 2, prepend first_hash to the path.
  const steps: readonly Uint8Array[] = isPowerOfTwo(from) ? [oldRoot, ...path] : path;
  // Step 2 may prepend a root of any length; the chain below needs 32-byte hashes.
  if (!isHash(steps[0])) return fail('old_root_mismatch', 'old root is not a 32-byte hash');
  // Step 3: fn = first - 1, sn = second - 1.
  let fn = from - 1;
  let sn = to - 1;
  // Step 4: skip the levels where fn is a right child: those nodes sit inside the seed subtree.
  while (isLsbSet(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5: fr = sr = the first value.
  let fr = steps[0];
  let sr = steps[0];
  // Step 6: for each subsequent value c.
  for (let i = 1; i < steps.length; i++) {
    const c = steps[i] as Uint8Array;
    // 6a.
    if (sn === 0) return fail('wrong_path_length', 'path is longer than the tree is deep');
    // 6b: c is a left sibling (inside the old tree too) when fn is a right child or the last node.
    if (isLsbSet(fn) || fn === sn) {
      fr = nodes.hash(c, fr);
      sr = nodes.hash(c, sr);
      // 6b.3.
      while (!isLsbSet(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      // c lies right of the old tree: only the new root covers it.
      sr = nodes.hash(sr, c);
    }
    // 6c.
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7: fr = first_hash, sr = second_hash, sn = 0.
  if (sn !== 0) return fail('wrong_path_length', 'path is shorter than the tree is deep');
  if (!bytesEqual(fr, oldRoot)) return fail('old_root_mismatch', 'path does not reproduce the old root');
  if (!bytesEqual(sr, newRoot)) return fail('root_mismatch', 'path does not lead to the new root');
  return ok(true);
}
