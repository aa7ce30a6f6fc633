// The server's Ed25519 back-end: the One Ed25519 rule (lib/crypto/ed25519.ts), then OpenSSL's
// verification through node:crypto. OpenSSL checks the cofactorless equation by comparing R with
// the encoding of [S]B - [k]A, which is exactly step 5 of the rule, so after the pre-checks it
// accepts the same signatures as the noble back-end (test/crypto/ed25519-vectors.test.ts).
//
// Hot path: per call, byte comparisons on R and S, one Map lookup for the key's KeyObject (built
// once, after the key passed the rule's checks on A; a refused key is cached as null), then the
// native verify. No JavaScript field arithmetic: an off-curve A is refused by OpenSSL itself.
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  BoundedCache,
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SEED_LENGTH,
  KEY_CACHE_MAX_ENTRIES,
  checkPublicKeyRule,
  checkSignatureRule,
  publicKeyCacheKey,
} from '@/lib/crypto/ed25519';
import type { CachingSignatureVerifier, VerifierOptions } from '@/lib/crypto/ed25519';
import type { Signer } from '@/lib/crypto/types';

/** DER SubjectPublicKeyInfo header for an Ed25519 key (RFC 8410 §4): the raw 32 bytes follow. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** DER PKCS #8 PrivateKeyInfo header for an Ed25519 seed (RFC 8410 §7): the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The server back-end (see the top of this file); options bound its KeyObject cache. */
export function createNodeVerifier(options: VerifierOptions = {}): CachingSignatureVerifier {
  // A KeyObject per key that passed the rule's checks on A; null for a refused key, so a bad key
  // costs its checks once too.
  const keyObjects = new BoundedCache<string, KeyObject | null>(options.keyCacheMaxEntries ?? KEY_CACHE_MAX_ENTRIES);

  function keyObjectFor(publicKey: Uint8Array): KeyObject | null {
    const cacheKey = publicKeyCacheKey(publicKey);
    let keyObject = keyObjects.get(cacheKey);
    if (keyObject === undefined) {
      keyObject = checkPublicKeyRule(publicKey) ? importPublicKey(publicKey) : null;
      keyObjects.set(cacheKey, keyObject);
    }
    return keyObject;
  }

  return {
    name: 'node',
    get cachedKeyCount() {
      return keyObjects.size;
    },
    clearKeyCache() {
      keyObjects.clear();
    },
    verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
      try {
        if (!(signature instanceof Uint8Array) || !(message instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return false;
        // The rule's pre-checks: checkSignatureRule here, checkPublicKeyRule once per cached key.
        if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH || !checkSignatureRule(signature)) return false;
        const keyObject = keyObjectFor(publicKey);
        return keyObject !== null && verify(null, message, keyObject, signature);
      } catch {
        return false;
      }
    },
  };
}

export const nodeVerifier: CachingSignatureVerifier = createNodeVerifier();

function importPublicKey(publicKey: Uint8Array): KeyObject | null {
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch {
    return null; // OpenSSL refused the key; no signature can verify against it
  }
}

/** A Signer on node:crypto for a 32-byte seed (same signatures as the noble signer: RFC 8032 is deterministic). */
export function createNodeSigner(seed32: Uint8Array): Signer {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== ED25519_SEED_LENGTH) {
    throw new RangeError(`an Ed25519 seed is ${ED25519_SEED_LENGTH} bytes`);
  }
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed32]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length));
  return {
    publicKey,
    sign(message: Uint8Array): Promise<Uint8Array> {
      return Promise.resolve(new Uint8Array(sign(null, message, privateKey)));
    },
  };
}

/** 32 bytes from the OS CSPRNG: a fresh Ed25519 seed. */
export function generateSeed(): Uint8Array {
  return new Uint8Array(randomBytes(ED25519_SEED_LENGTH));
}
