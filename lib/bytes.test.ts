import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64urlToBytes, bytes32Key, bytesEqual, bytesToBase64url, bytesToHex, concatBytes, hexToBytes } from './bytes';

describe('bytes', () => {
  it('round-trips hex and base64url for any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      expect(bytesEqual(hexToBytes(bytesToHex(bytes)), bytes)).toBe(true);
      expect(bytesEqual(base64urlToBytes(bytesToBase64url(bytes)), bytes)).toBe(true);
      expect(bytesToBase64url(bytes)).not.toMatch(/[=+/]/);
    }));
  });

  it('rejects malformed encodings', () => {
    expect(() => hexToBytes('abc')).toThrow();
    expect(() => hexToBytes('zz')).toThrow();
    expect(() => base64urlToBytes('ab=c')).toThrow();
  });

  it('keys 32-byte values by value: equal keys exactly for equal bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(31), (a, b, at) => {
      expect(bytes32Key(a) === bytes32Key(b)).toBe(bytesEqual(a, b));
      expect(bytes32Key(Uint8Array.from(a))).toBe(bytes32Key(a));
      const flipped = Uint8Array.from(a);
      flipped[at] = (flipped[at] ?? 0) ^ 1;
      expect(bytes32Key(flipped)).not.toBe(bytes32Key(a));
    }));
    // A view into a larger buffer keys like a copy of its bytes.
    const buffer = new Uint8Array(40).map((_, i) => i);
    expect(bytes32Key(buffer.subarray(4, 36))).toBe(bytes32Key(buffer.slice(4, 36)));
  });

  it('concatenates and compares', () => {
    expect(bytesToHex(concatBytes(hexToBytes('00'), hexToBytes('ff01')))).toBe('00ff01');
    expect(bytesEqual(hexToBytes('01'), hexToBytes('02'))).toBe(false);
  });
});
