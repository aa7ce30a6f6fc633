import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8Encode } from '../bytes';
import { nobleHasher, sha256, sha256OfUtf8 } from './sha256';
import type { Hasher } from './sha256';

describe('sha256 (FIPS 180-4)', () => {
  // FIPS 180-4 examples (NIST CSRC "Examples with intermediate values") and the empty string.
  const cases: [string, string][] = [
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ];
  for (const [input, digest] of cases) {
    it(`hashes "${input.slice(0, 12)}…"`, () => {
      expect(bytesToHex(sha256(utf8Encode(input)))).toBe(digest);
      expect(bytesToHex(nobleHasher.sha256(utf8Encode(input)))).toBe(digest);
    });
  }
});

describe('sha256OfUtf8', () => {
  it('hashes the UTF-8 bytes of the text, with or without a native text hash', () => {
    const expected = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'; // FIPS 180-4 "abc"
    expect(bytesToHex(sha256OfUtf8(nobleHasher, 'abc'))).toBe(expected);
    const viaText: Hasher = { sha256: () => new Uint8Array(32), sha256Utf8: (text) => nobleHasher.sha256(utf8Encode(text)) };
    expect(bytesToHex(sha256OfUtf8(viaText, 'abc'))).toBe(expected);
    expect(sha256OfUtf8(nobleHasher, 'é€😀')).toEqual(nobleHasher.sha256(utf8Encode('é€😀')));
  });
});
