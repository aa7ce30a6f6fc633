import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '@/lib/bytes';
import { SMALL_ORDER_ENCODINGS, nobleVerifier, publicKeyFromSeed, signEd25519 } from '@/lib/crypto/ed25519';
import { createSeedSigner } from '@/lib/crypto/keys';
import { loadRfc8032Cases, numberToBytesLE } from '@/test/crypto/ed25519-fixtures';
import { createNodeSigner, createNodeVerifier, generateSeed, nodeVerifier } from './ed25519-node';

const seed = hexToBytes('c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7'); // RFC 8032 §7.1 test 3
const publicKey = publicKeyFromSeed(seed);
const message = new TextEncoder().encode('proofhub');
const signature = signEd25519(seed, message);

describe('createNodeSigner', () => {
  for (const vector of loadRfc8032Cases()) {
    it(`${vector.label}: derives the key and reproduces the signature`, async () => {
      const signer = createNodeSigner(vector.seed);
      expect(bytesToHex(signer.publicKey)).toBe(bytesToHex(vector.publicKey));
      expect(bytesToHex(await signer.sign(vector.message))).toBe(bytesToHex(vector.signature));
    });
  }

  it('signs exactly like the noble signer (RFC 8032 signing is deterministic)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), async (s, m) => {
        const nodeSigner = createNodeSigner(s);
        const nobleSigner = createSeedSigner(s);
        expect(bytesToHex(nodeSigner.publicKey)).toBe(bytesToHex(nobleSigner.publicKey));
        const nodeSignature = await nodeSigner.sign(m);
        expect(bytesToHex(nodeSignature)).toBe(bytesToHex(await nobleSigner.sign(m)));
        expect(nodeVerifier.verify(nodeSignature, m, nodeSigner.publicKey)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses seeds that are not 32 bytes', () => {
    expect(() => createNodeSigner(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('generateSeed', () => {
  it('returns 32 fresh bytes as a plain Uint8Array', () => {
    const a = generateSeed();
    const b = generateSeed();
    expect(a).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(a)).toBe(false);
    expect(a.length).toBe(32);
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
  });
});

describe('nodeVerifier', () => {
  it('verifies a good signature and refuses bad input without throwing', () => {
    expect(nodeVerifier.verify(signature, message, publicKey)).toBe(true);
    expect(nodeVerifier.verify(signature.subarray(0, 63), message, publicKey)).toBe(false);
    expect(nodeVerifier.verify(signature, message, publicKey.subarray(0, 31))).toBe(false);
    expect(nodeVerifier.verify(new Uint8Array(0), new Uint8Array(0), new Uint8Array(0))).toBe(false);
    const notBytes = 'not bytes' as unknown as Uint8Array;
    expect(nodeVerifier.verify(notBytes, message, publicKey)).toBe(false);
    expect(nodeVerifier.verify(signature, notBytes, publicKey)).toBe(false);
    expect(nodeVerifier.verify(signature, message, notBytes)).toBe(false);
    expect(nodeVerifier.verify(undefined as unknown as Uint8Array, message, publicKey)).toBe(false);
  });

  it('accepts a Buffer as well as a Uint8Array', () => {
    expect(nodeVerifier.verify(Buffer.from(signature), Buffer.from(message), Buffer.from(publicKey))).toBe(true);
  });

  it('refuses an off-curve key through OpenSSL, as noble does through decoding', () => {
    const offCurve = numberToBytesLE(2n, 32); // y = 2 has no x
    expect(nodeVerifier.verify(signature, message, offCurve)).toBe(false);
    expect(nobleVerifier.verify(signature, message, offCurve)).toBe(false);
  });

  it('caches one KeyObject per key, refused keys as well, within its bound', () => {
    const verifier = createNodeVerifier({ keyCacheMaxEntries: 3 });
    expect(verifier.name).toBe('node');
    expect(verifier.verify(signature, message, publicKey)).toBe(true);
    expect(verifier.verify(signature, message, Uint8Array.from(publicKey))).toBe(true);
    expect(verifier.cachedKeyCount).toBe(1);
    expect(verifier.verify(signature, message, hexToBytes(SMALL_ORDER_ENCODINGS[2] ?? ''))).toBe(false);
    expect(verifier.cachedKeyCount).toBe(2);
    for (let i = 0; i < 5; i++) verifier.verify(signature, message, publicKeyFromSeed(Uint8Array.of(i, ...new Uint8Array(31))));
    expect(verifier.cachedKeyCount).toBe(3);
    expect(verifier.verify(signature, message, publicKey)).toBe(true); // evicted, imported again
    verifier.clearKeyCache();
    expect(verifier.cachedKeyCount).toBe(0);
  });

  it('does not touch the cache for a signature the byte checks refuse', () => {
    const verifier = createNodeVerifier();
    const badS = Uint8Array.from(signature);
    badS.fill(0xff, 32);
    expect(verifier.verify(badS, message, publicKey)).toBe(false);
    expect(verifier.cachedKeyCount).toBe(0);
  });
});
