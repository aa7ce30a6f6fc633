import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64urlToBytes, bytesEqual, bytesToBase64url, bytesToHex, concatBytes, hexToBytes } from './bytes';

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

  it('concatenates and compares', () => {
    expect(bytesToHex(concatBytes(hexToBytes('00'), hexToBytes('ff01')))).toBe('00ff01');
    expect(bytesEqual(hexToBytes('01'), hexToBytes('02'))).toBe(false);
  });
});
