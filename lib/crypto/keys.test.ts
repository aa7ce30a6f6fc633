import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../bytes';
import { nobleVerifier } from './ed25519';
import { createKeyPair, createSeedSigner, keyPairToDidKey } from './keys';

const rfcSeed = hexToBytes('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb'); // RFC 8032 §7.1 test 2

describe('key pairs and the noble signer', () => {
  it('derives the RFC 8032 key and signature', async () => {
    const keyPair = createKeyPair(rfcSeed);
    expect(bytesToHex(keyPair.publicKey)).toBe('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
    const signer = createSeedSigner(rfcSeed);
    expect(bytesToHex(signer.publicKey)).toBe(bytesToHex(keyPair.publicKey));
    const signature = await signer.sign(Uint8Array.of(0x72));
    expect(bytesToHex(signature)).toBe(
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    );
    expect(nobleVerifier.verify(signature, Uint8Array.of(0x72), signer.publicKey)).toBe(true);
  });

  it('copies the seed, so wiping the caller`s buffer changes nothing', async () => {
    const buffer = Uint8Array.from(rfcSeed);
    const keyPair = createKeyPair(buffer);
    const signer = createSeedSigner(buffer);
    buffer.fill(0);
    expect(bytesToHex(keyPair.seed)).toBe(bytesToHex(rfcSeed));
    expect(nobleVerifier.verify(await signer.sign(Uint8Array.of(1)), Uint8Array.of(1), keyPair.publicKey)).toBe(true);
  });

  it('names the key pair by its did:key', () => {
    expect(keyPairToDidKey(createKeyPair(new Uint8Array(32)))).toBe('did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp');
  });

  it('refuses seeds that are not 32 bytes', () => {
    expect(() => createKeyPair(new Uint8Array(16))).toThrow(RangeError);
    expect(() => createSeedSigner(new Uint8Array(64))).toThrow(RangeError);
  });
});
