// RFC 9162 §2.1.1 hashing with domain separation: leaves are hashed with a 0x00 prefix and
// interior nodes with 0x01, so no leaf can be passed off as a node (second-preimage defence).
// SHA-256 comes through an injected Hasher (lib/crypto/sha256.ts) so the server can use
// node:crypto while the browser and tests use @noble/hashes; every function defaults to noble.
// Contract relied on here: sha256() returns a fresh array the caller may keep, and does not keep
// a reference to its input (the node hashing below reuses one input buffer).
import { type Hasher, nobleHasher } from '../crypto/sha256';

export type { Hasher };

/** @noble/hashes SHA-256: pure JS, runs in the browser. */
export const defaultHasher: Hasher = nobleHasher;

export const HASH_SIZE = 32;
export const ID_SIZE = 32;
export const SIGNATURE_SIZE = 64;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

const EMPTY_ROOT_BYTES = defaultHasher.sha256(new Uint8Array(0));

/** MTH({}) = SHA-256() (RFC 9162 §2.1.1): the root of the empty tree. */
export const EMPTY_ROOT: Uint8Array = EMPTY_ROOT_BYTES.slice();

/** A fresh copy of the empty root, safe from callers that mutate the exported constant. */
export function emptyRoot(): Uint8Array {
  return EMPTY_ROOT_BYTES.slice();
}

/**
 * proofhub leaf hash (DESIGN.md, Log and chain): SHA-256(0x00 ‖ id ‖ sig), with id the 32 raw
 * bytes of the proof id and sig the 64 raw signature bytes. Throws RangeError on other lengths
 * (a caller bug: ids and signatures are schema-checked long before they reach the log).
 */
export function leafHash(id: Uint8Array, sig: Uint8Array, hasher: Hasher = defaultHasher): Uint8Array {
  if (id.length !== ID_SIZE) throw new RangeError(`leafHash: id must be ${ID_SIZE} bytes, got ${id.length}`);
  if (sig.length !== SIGNATURE_SIZE) throw new RangeError(`leafHash: sig must be ${SIGNATURE_SIZE} bytes, got ${sig.length}`);
  const input = new Uint8Array(1 + ID_SIZE + SIGNATURE_SIZE);
  input[0] = LEAF_PREFIX;
  input.set(id, 1);
  input.set(sig, 1 + ID_SIZE);
  return hasher.sha256(input);
}

/** Generic RFC 6962/9162 leaf hash MTH({d}) = SHA-256(0x00 ‖ d), for published vectors and tools. */
export function leafHashOfData(data: Uint8Array, hasher: Hasher = defaultHasher): Uint8Array {
  const input = new Uint8Array(1 + data.length);
  input[0] = LEAF_PREFIX;
  input.set(data, 1);
  return hasher.sha256(input);
}

/** Interior node hash SHA-256(0x01 ‖ left ‖ right) (RFC 9162 §2.1.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array, hasher: Hasher = defaultHasher): Uint8Array {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return hasher.sha256(input);
}

/**
 * Node hashing without a fresh input buffer per call: the 65-byte input is assembled in one
 * reusable scratch array. Used on the append hot path; one instance per log/frontier because the
 * scratch is shared state (fine: everything here is synchronous).
 */
export class NodeHasher {
  readonly hasher: Hasher;
  private readonly scratch = new Uint8Array(1 + 2 * HASH_SIZE);

  constructor(hasher: Hasher = defaultHasher) {
    this.hasher = hasher;
    this.scratch[0] = NODE_PREFIX;
  }

  /** left and right must be exactly 32 bytes (checked by the callers that take outside input). */
  hash(left: Uint8Array, right: Uint8Array): Uint8Array {
    this.scratch.set(left, 1);
    this.scratch.set(right, 1 + HASH_SIZE);
    return this.hasher.sha256(this.scratch);
  }
}

/**
 * A copy as a plain Uint8Array. Not `.slice()`: a hasher may return a node Buffer, whose slice()
 * is a view sharing memory, and a caller mutating that "copy" would corrupt the log.
 */
export function copyHash(hash: Uint8Array): Uint8Array {
  return new Uint8Array(hash);
}

export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/** Array.isArray without narrowing a typed readonly array to any[]: input guard for untyped callers. */
export function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}
