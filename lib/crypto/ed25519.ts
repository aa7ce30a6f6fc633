// The One Ed25519 rule (DESIGN.md) and its reference back-end on @noble/ed25519.
//
// Browser, server, validators and CLI must accept exactly the same signatures: a signature one
// accepts and another refuses forks a validator or turns a badge green in one place and red in
// another. node:crypto (OpenSSL) and @noble/ed25519 disagree on edge cases, so every back-end runs
// the same pre-checks first and then the same verification equation:
//
//   1. |sig| = 64, |A| = 32.
//   2. A and R are canonical encodings (RFC 8032 §5.1.3: y < p; x = 0 with the sign bit set is
//      refused). Whether they are curve points at all is left to each back-end's decoding: an
//      off-curve A or R is refused by OpenSSL and by noble alike, so the pre-checks stay pure byte
//      comparisons and cost nothing on the hot path.
//   3. Neither A nor R is of small order (one of the 8 points of the torsion subgroup).
//   4. S < L (RFC 8032 §5.1.7 step 1).
//   5. The cofactorless equation [S]B = R + [k]A', k = SHA-512(R ‖ A ‖ M) mod L (RFC 8032 §5.1.7
//      step 3, the variant the RFC calls "sufficient, but not required").
//
// Why cofactorless (5): OpenSSL, which node:crypto uses, checks [S]B - [k]A' == R by comparing
// encodings; noble's `verify` checks the cofactored [8][S]B = [8]R + [8][k]A'. The two differ
// when A or R has a low-order component that does not cancel ("low_order_residue" in the CCTV
// vectors), and checks 2-4 cannot see such points without a full scalar multiplication per R.
// The server hot path has to stay on native verification, so the noble back-end computes the
// cofactorless equation itself with noble's point arithmetic instead of calling `ed.verify`.
// The result equals ed25519-dalek's `verify_strict`. docs/ed25519.md has the vector counts.
import { Point, getPublicKey, hashes as nobleHashes, sign as nobleSign } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytes32Key, hexToBytes } from '../bytes';
import type { SignatureVerifier } from './types';

// Sync noble API (sign, getPublicKey) needs a synchronous SHA-512.
nobleHashes.sha512 = sha512;

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;
export const ED25519_SEED_LENGTH = 32;

/** Group order L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1). */
const L = 0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3edn;
const L_BYTES_LE = numberToBytesLE32(L);

/**
 * Every encoding of a small-order point with y < p: the 8 torsion points' canonical encodings
 * plus the two "x = -0" forms of the points with x = 0 (y = 1 and y = p - 1). Encodings with
 * y >= p are refused by the canonicity check before this list is consulted. Source: the list in
 * C2SP/CCTV ed25519/README.md, cross-checked against noble's isSmallOrder in the tests.
 */
export const SMALL_ORDER_ENCODINGS: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity, order 1
  '0100000000000000000000000000000000000000000000000000000000000080', // identity, x = -0
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // order 2, x = -0
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
];
const SMALL_ORDER_BYTES: readonly Uint8Array[] = SMALL_ORDER_ENCODINGS.map(hexToBytes);
const SMALL_ORDER_FIRST_BYTES = new Set(SMALL_ORDER_BYTES.map((bytes) => bytes[0]));

/**
 * A Map that forgets its oldest entry beyond maxEntries. Insertion order is Map iteration order,
 * so eviction is O(1); lookups do not refresh an entry (FIFO, not LRU): cheaper per hit, and a key
 * that keeps being used is simply re-admitted after its eviction.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly maxEntries: number;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  set(key: K, value: V): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Default bound of the per-key caches: 10k keys is a few MB at most. */
export const KEY_CACHE_MAX_ENTRIES = 10_000;

/** A 32-byte key as a Map key (lib/bytes bytes32Key: cheaper than hex, compares by value). */
export function publicKeyCacheKey(publicKey: Uint8Array): string {
  return bytes32Key(publicKey);
}

/**
 * The rule's checks on A, all byte comparisons (no cache needed): 32 bytes, canonical (y < p),
 * not one of the small-order encodings. Whether A is a curve point at all is left to the
 * back-ends' decoding, which every back-end performs and which refuses the same keys; use
 * isValidPublicKey when a key must be known usable before any signature arrives.
 */
export function checkPublicKeyRule(publicKey: Uint8Array): boolean {
  return publicKey.length === ED25519_PUBLIC_KEY_LENGTH && isCanonicalEncoding(publicKey) && !isSmallOrderEncoding(publicKey);
}

/**
 * The rule's checks on the signature alone, all byte comparisons: 64 bytes, R canonical and not
 * small order, S < L. Cheap enough to run before every native verification.
 */
export function checkSignatureRule(signature: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  const r = signature.subarray(0, 32);
  return isCanonicalEncoding(r) && !isSmallOrderEncoding(r) && isScalarBelowOrder(signature.subarray(32, 64));
}

/**
 * The One Ed25519 rule's pre-checks (everything but decoding and the equation): lengths 64/32,
 * canonical A and R, neither of small order, S < L. Pure byte comparisons, no allocation.
 */
export function checkEd25519Rule(signature: Uint8Array, publicKey: Uint8Array): boolean {
  return checkSignatureRule(signature) && checkPublicKeyRule(publicKey);
}

/** A verifier that keeps per-key work (a decoded point, a native key object) in a bounded cache. */
export interface CachingSignatureVerifier extends SignatureVerifier {
  /** Keys currently cached (at most the bound given at creation). */
  readonly cachedKeyCount: number;
  /** Forgets every cached key (benchmarks measure cold keys with it). */
  clearKeyCache(): void;
}

export interface VerifierOptions {
  /** Bound of the per-key cache; the oldest key is evicted beyond it. Default KEY_CACHE_MAX_ENTRIES. */
  readonly keyCacheMaxEntries?: number;
}

/**
 * The reference back-end: the rule, then the cofactorless equation of RFC 8032 §5.1.7 computed
 * with @noble/ed25519's point arithmetic (see the top of this file for why not `ed.verify`).
 * Decoding A costs a square root (the most expensive step after the scalar multiplications), so
 * decoded keys are cached, refused ones as null.
 */
export function createNobleVerifier(options: VerifierOptions = {}): CachingSignatureVerifier {
  const decodedKeys = new BoundedCache<string, Point | null>(options.keyCacheMaxEntries ?? KEY_CACHE_MAX_ENTRIES);

  function decodePublicKey(publicKey: Uint8Array): Point | null {
    const key = publicKeyCacheKey(publicKey);
    let point = decodedKeys.get(key);
    if (point === undefined) {
      point = decodePoint(publicKey);
      decodedKeys.set(key, point);
    }
    return point;
  }

  return {
    name: 'noble',
    get cachedKeyCount() {
      return decodedKeys.size;
    },
    clearKeyCache() {
      decodedKeys.clear();
    },
    verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
      try {
        if (!(signature instanceof Uint8Array) || !(message instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return false;
        if (!checkEd25519Rule(signature, publicKey)) return false;
        const a = decodePublicKey(publicKey);
        if (a === null) return false;
        const rBytes = signature.subarray(0, 32);
        const r = Point.fromBytes(rBytes, false); // throws when R is not a curve point
        const s = bytesToNumberLE(signature.subarray(32, 64)); // < L, checked above
        // k = SHA-512(dom2(F, C) ‖ R ‖ A ‖ PH(M)) mod L; dom2 is empty and PH the identity for Ed25519.
        const digest = sha512.create().update(rBytes).update(publicKey).update(message).digest();
        const k = bytesToNumberLE(digest) % L;
        // multiply(_, false): variable time is fine, nothing here is secret; it also admits 0.
        const sB = Point.BASE.multiply(s, false);
        const kA = a.multiply(k, false);
        return sB.equals(r.add(kA));
      } catch {
        return false;
      }
    },
  };
}

export const nobleVerifier: CachingSignatureVerifier = createNobleVerifier();

/**
 * Whether a public key can ever verify a signature: the rule's checks on A and a successful
 * RFC 8032 §5.1.3 decoding to a curve point. Costs a square root (~0.3 ms); cache the answer.
 */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  return publicKey instanceof Uint8Array && checkPublicKeyRule(publicKey) && decodePoint(publicKey) !== null;
}

/** Precondition: checkPublicKeyRule(encoding). */
function decodePoint(encoding: Uint8Array): Point | null {
  try {
    // zip215=false: strict RFC 8032 §5.1.3 decoding (y < p, no x = -0), throws if not on the curve.
    return Point.fromBytes(encoding, false);
  } catch {
    return null;
  }
}

/** RFC 8032 §5.1.6 signature (deterministic) by the key of a 32-byte seed. */
export function signEd25519(seed32: Uint8Array, message: Uint8Array): Uint8Array {
  assertSeed(seed32);
  return nobleSign(message, seed32);
}

/** RFC 8032 §5.1.5 public key of a 32-byte seed. */
export function publicKeyFromSeed(seed32: Uint8Array): Uint8Array {
  assertSeed(seed32);
  return getPublicKey(seed32);
}

function assertSeed(seed32: Uint8Array): void {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== ED25519_SEED_LENGTH) {
    throw new RangeError(`an Ed25519 seed is ${ED25519_SEED_LENGTH} bytes`);
  }
}

/** RFC 8032 §5.1.3: y (the low 255 bits, little-endian) must be < p = 2^255 - 19. */
function isCanonicalEncoding(encoding: Uint8Array): boolean {
  // y >= p only when bytes 1..30 are 0xff, byte 31 is 0x7f after masking the sign, byte 0 >= 0xed.
  if (((encoding[31] ?? 0) & 0x7f) !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (encoding[i] !== 0xff) return true;
  return (encoding[0] ?? 0) < 0xed;
}

/** Precondition: canonical encoding (y < p), so the blocklist is complete. */
function isSmallOrderEncoding(encoding: Uint8Array): boolean {
  if (!SMALL_ORDER_FIRST_BYTES.has(encoding[0])) return false;
  for (const candidate of SMALL_ORDER_BYTES) if (bytesEqual32(candidate, encoding)) return true;
  return false;
}

/** S as a 32-byte little-endian integer is < L. */
function isScalarBelowOrder(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const a = s[i] ?? 0;
    const b = L_BYTES_LE[i] ?? 0;
    if (a !== b) return a < b;
  }
  return false; // S = L
}

function bytesEqual32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

function bytesToNumberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

function numberToBytesLE32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}
