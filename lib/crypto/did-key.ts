// did:key for Ed25519 public keys (W3C CCG did:key method, "Ed25519" key type):
//   did:key:z<base58btc(multicodec varint 0xed01 ‖ 32-byte public key)>
// The multicodec code 0xed (ed25519-pub) as an unsigned varint is the two bytes 0xed 0x01; the
// multibase prefix 'z' names base58btc. Every such DID starts "did:key:z6Mk".
import { base58 } from '@scure/base';
import { z } from 'zod';
import { fail, ok } from '../errors';
import type { Result } from '../errors';
import { BoundedCache, ED25519_PUBLIC_KEY_LENGTH, KEY_CACHE_MAX_ENTRIES, isValidPublicKey } from './ed25519';

const DID_KEY_PREFIX = 'did:key:z';
const ED25519_MULTICODEC = Uint8Array.of(0xed, 0x01);
const MULTIKEY_LENGTH = ED25519_MULTICODEC.length + ED25519_PUBLIC_KEY_LENGTH;
/** 34 bytes in base58 are at most 47 characters; anything longer is refused before decoding. */
const DID_KEY_MAX_LENGTH = DID_KEY_PREFIX.length + 47;

export type DidKeyErrorCode = 'invalid_did';

/**
 * A did:key decoder that remembers its answers. Proofs name the same issuers again and again,
 * and a fresh decode costs a base58 decode and, for the One Ed25519 rule, a curve-point decode
 * of A (a square root, ~0.3 ms in pure JavaScript). The answer is a pure function of the DID
 * string, so a remembered answer is the answer: keys that pass and keys that are refused are both
 * kept, per string, in a bounded FIFO cache (the oldest entry goes first). Callers get a copy of
 * the key bytes, so nothing they do to it reaches the cache.
 */
export interface DidKeyDecoder {
  decode(did: string): Result<Uint8Array, DidKeyErrorCode>;
  /** Whether decode would succeed, without copying the key. */
  isValid(did: string): boolean;
  /** DID strings currently remembered (at most maxEntries). */
  readonly cachedCount: number;
  readonly maxEntries: number;
  clearCache(): void;
}

type Decoded = Result<Uint8Array, DidKeyErrorCode>;

export function createDidKeyDecoder(options: { readonly maxEntries?: number } = {}): DidKeyDecoder {
  const cache = new BoundedCache<string, Decoded>(options.maxEntries ?? KEY_CACHE_MAX_ENTRIES);

  function lookup(did: string): Decoded {
    // Refused before the cache: not a string, another method or multibase, an overlong value.
    // These cost nothing to check and keep junk from crowding real issuers out of the cache.
    if (typeof did !== 'string' || !did.startsWith(DID_KEY_PREFIX)) {
      return fail('invalid_did', 'expected a did:key with a base58btc ("z") multibase value');
    }
    if (did.length > DID_KEY_MAX_LENGTH) return fail('invalid_did', 'did:key is too long for an Ed25519 key');
    let decoded = cache.get(did);
    if (decoded === undefined) {
      decoded = decodeUncached(did);
      // A refusal is handed out as is, every time: frozen, so no caller can edit it for the next.
      if (!decoded.ok) Object.freeze(Object.freeze(decoded).error);
      cache.set(did, decoded);
    }
    return decoded;
  }

  return {
    decode(did) {
      const decoded = lookup(did);
      return decoded.ok ? ok(decoded.value.slice()) : decoded;
    },
    isValid: (did) => lookup(did).ok,
    get cachedCount() {
      return cache.size;
    },
    maxEntries: cache.maxEntries,
    clearCache() {
      cache.clear();
    },
  };
}

/** Precondition: did starts with DID_KEY_PREFIX and is at most DID_KEY_MAX_LENGTH long. */
function decodeUncached(did: string): Decoded {
  let multikey: Uint8Array;
  try {
    multikey = base58.decode(did.slice(DID_KEY_PREFIX.length));
  } catch {
    return fail('invalid_did', 'did:key value is not valid base58btc');
  }
  if (multikey[0] !== ED25519_MULTICODEC[0] || multikey[1] !== ED25519_MULTICODEC[1]) {
    return fail('invalid_did', 'did:key is not an Ed25519 key (multicodec 0xed01)');
  }
  if (multikey.length !== MULTIKEY_LENGTH) {
    return fail('invalid_did', `did:key Ed25519 key must be ${ED25519_PUBLIC_KEY_LENGTH} bytes`);
  }
  const publicKey = multikey.slice(ED25519_MULTICODEC.length);
  if (!isValidPublicKey(publicKey)) {
    return fail('invalid_did', 'did:key holds a public key that no signature can verify against (non-canonical, off-curve or small order)');
  }
  return ok(publicKey);
}

/** The decoder behind didKeyToPublicKey, isDidKey and the schemas. */
export const didKeyDecoder: DidKeyDecoder = createDidKeyDecoder();

/** did:key of a 32-byte Ed25519 public key. Throws RangeError on any other length (a caller bug). */
export function publicKeyToDidKey(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new RangeError(`an Ed25519 public key is ${ED25519_PUBLIC_KEY_LENGTH} bytes`);
  }
  const multikey = new Uint8Array(MULTIKEY_LENGTH);
  multikey.set(ED25519_MULTICODEC, 0);
  multikey.set(publicKey, ED25519_MULTICODEC.length);
  return DID_KEY_PREFIX + base58.encode(multikey);
}

/**
 * The public key of an Ed25519 did:key. Refuses anything else with 'invalid_did': another method
 * or multibase, another multicodec, a wrong length, bad base58, and keys that can never verify
 * under the One Ed25519 rule (non-canonical, not a curve point, or of small order).
 */
export function didKeyToPublicKey(did: string): Result<Uint8Array, DidKeyErrorCode> {
  return didKeyDecoder.decode(did);
}

export function isDidKey(value: unknown): value is string {
  return typeof value === 'string' && didKeyDecoder.isValid(value);
}

/** A string that is an Ed25519 did:key (see didKeyToPublicKey for what is refused). */
export const didKeySchema = z.string().refine(isDidKey, { message: 'expected an Ed25519 did:key (did:key:z6Mk…)' });
