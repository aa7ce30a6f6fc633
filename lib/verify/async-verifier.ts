// Signature back-ends for bulk checks. The browser's fastest Ed25519 is WebCrypto, which is
// asynchronous, while lib/proof's checks are synchronous: verifyItems therefore checks every
// signature first through an AsyncSignatureVerifier, in chunks, and lib/proof then reads the
// answers from a cache (createAnsweringVerifier). Every back-end applies the One Ed25519 rule's
// pre-checks (DESIGN.md) before the equation, so all accept exactly the same signatures; the
// WebCrypto one is tested against every vector in test/vectors/ed25519 in Chromium and in Node.
import { checkEd25519Rule, publicKeyCacheKey } from '../crypto/ed25519';
import type { SignatureVerifier } from '../crypto/types';

export interface AsyncSignatureVerifier {
  readonly name: string;
  /** Ed25519 under the One Ed25519 rule. Never rejects: bad input is false. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
}

/** A synchronous back-end seen through the asynchronous interface. */
export function toAsyncVerifier(verifier: SignatureVerifier): AsyncSignatureVerifier {
  return { name: verifier.name, verify: (signature, message, publicKey) => Promise.resolve(verifier.verify(signature, message, publicKey)) };
}

/**
 * WebCrypto Ed25519 (Chromium ≥ 137, Firefox ≥ 129, Safari 17, Node ≥ 18.4) behind the rule's
 * pre-checks. Imported keys are cached per public key (bounded). `subtle` is passed in: lib/ does
 * not reach for globals.
 */
export function createWebCryptoVerifier(subtle: SubtleCrypto, options: { keyCacheMaxEntries?: number } = {}): AsyncSignatureVerifier {
  const max = options.keyCacheMaxEntries ?? 10_000;
  const keys = new Map<string, Promise<CryptoKey | null>>();
  function importKey(publicKey: Uint8Array): Promise<CryptoKey | null> {
    const cacheKey = publicKeyCacheKey(publicKey);
    let key = keys.get(cacheKey);
    if (key === undefined) {
      if (keys.size >= max) {
        const oldest = keys.keys().next();
        if (oldest.done !== true) keys.delete(oldest.value);
      }
      key = subtle.importKey('raw', publicKey.slice(), { name: 'Ed25519' }, false, ['verify']).then(
        (imported) => imported,
        () => null,
      );
      keys.set(cacheKey, key);
    }
    return key;
  }
  return {
    name: 'webcrypto',
    async verify(signature, message, publicKey) {
      try {
        if (!(signature instanceof Uint8Array) || !(message instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return false;
        if (!checkEd25519Rule(signature, publicKey)) return false;
        const key = await importKey(publicKey);
        if (key === null) return false;
        return await subtle.verify({ name: 'Ed25519' }, key, signature.slice(), message.slice());
      } catch {
        return false;
      }
    },
  };
}

/** Whether this WebCrypto implements Ed25519 (older browsers do not): signs nothing, imports a fixed key. */
export async function webCryptoHasEd25519(subtle: SubtleCrypto | undefined): Promise<boolean> {
  if (subtle === undefined) return false;
  try {
    // RFC 8032 §7.1 test 1 public key.
    const key = new Uint8Array([
      0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
      0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
    ]);
    await subtle.importKey('raw', key, { name: 'Ed25519' }, false, ['verify']);
    return true;
  } catch {
    return false;
  }
}

/** Cache key of one verification: lengths make the concatenation unambiguous. */
export function verificationKey(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): string {
  return `${signature.length}:${message.length}:${publicKeyCacheKey(signature)}${publicKeyCacheKey(message)}${publicKeyCacheKey(publicKey)}`;
}

/**
 * A synchronous verifier that answers from `answers` (filled by an asynchronous pass) and falls
 * back to `fallback` for anything the pass did not foresee (e.g. a forged key rotation changing
 * which key a later seq is checked with).
 */
export function createAnsweringVerifier(answers: ReadonlyMap<string, boolean>, fallback: SignatureVerifier, name: string): SignatureVerifier {
  return {
    name,
    verify(signature, message, publicKey) {
      if (!(signature instanceof Uint8Array) || !(message instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return false;
      const answer = answers.get(verificationKey(signature, message, publicKey));
      return answer ?? fallback.verify(signature, message, publicKey);
    },
  };
}
