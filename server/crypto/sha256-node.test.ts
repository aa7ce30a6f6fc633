import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8Encode } from '@/lib/bytes';
import { nobleHasher } from '@/lib/crypto/sha256';
import { nodeHasher } from './sha256-node';

describe('nodeHasher', () => {
  it('matches the FIPS 180-4 example', () => {
    expect(bytesToHex(nodeHasher.sha256(utf8Encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('returns plain 32-byte Uint8Arrays equal to the noble hasher`s on any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        const digest = nodeHasher.sha256(data);
        expect(Buffer.isBuffer(digest)).toBe(false);
        expect(digest.length).toBe(32);
        expect(digest).toEqual(nobleHasher.sha256(data));
      }),
    );
  });

  it('hashes well-formed text as its UTF-8 bytes (sha256Utf8 = sha256 of utf8Encode)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const digest = nodeHasher.sha256Utf8?.(text);
        expect(digest).toBeInstanceOf(Uint8Array);
        expect(Buffer.isBuffer(digest)).toBe(false);
        expect(digest).toEqual(nobleHasher.sha256(utf8Encode(text)));
      }),
    );
  });

  it('hashes a subarray view by its own bytes, not its underlying buffer', () => {
    const backing = utf8Encode('xxabcxx');
    expect(bytesToHex(nodeHasher.sha256(backing.subarray(2, 5)))).toBe(bytesToHex(nobleHasher.sha256(utf8Encode('abc'))));
  });
});
