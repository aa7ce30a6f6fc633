// Ed25519 key pairs and signers on @noble/ed25519 (browser, CLI, tests). Randomness comes in as an
// argument: lib/ is pure, so the caller passes 32 bytes from crypto.getRandomValues (browser) or
// generateSeed (server/crypto/ed25519-node.ts).
import { ED25519_SEED_LENGTH, publicKeyFromSeed, signEd25519 } from './ed25519';
import { publicKeyToDidKey } from './did-key';
import type { Signer } from './types';

export interface Ed25519KeyPair {
  /** RFC 8032 32-byte private key (the seed); secret. */
  readonly seed: Uint8Array;
  /** RFC 8032 32-byte public key A. */
  readonly publicKey: Uint8Array;
}

/**
 * A key pair from 32 random bytes. The bytes are copied, so the caller may wipe its buffer.
 * Throws RangeError unless exactly 32 bytes are given.
 */
export function createKeyPair(randomSeed32: Uint8Array): Ed25519KeyPair {
  assertSeed(randomSeed32);
  const seed = Uint8Array.from(randomSeed32);
  return { seed, publicKey: publicKeyFromSeed(seed) };
}

/** did:key of a key pair's public key. */
export function keyPairToDidKey(keyPair: Ed25519KeyPair): string {
  return publicKeyToDidKey(keyPair.publicKey);
}

/** A Signer on @noble/ed25519 for a 32-byte seed. RFC 8032 signing is deterministic. */
export function createSeedSigner(seed32: Uint8Array): Signer {
  assertSeed(seed32);
  const seed = Uint8Array.from(seed32);
  const publicKey = publicKeyFromSeed(seed);
  return {
    publicKey,
    sign(message: Uint8Array): Promise<Uint8Array> {
      try {
        return Promise.resolve(signEd25519(seed, message));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

function assertSeed(seed32: Uint8Array): void {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== ED25519_SEED_LENGTH) {
    throw new RangeError(`an Ed25519 seed is ${ED25519_SEED_LENGTH} bytes`);
  }
}
