import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, hexToBytes } from '../bytes';
import { EMPTY_ROOT, leafHash, leafHashOfData, NodeHasher, nodeHash } from './hashing';

const sha256Hex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('RFC 9162 hashing', () => {
  const id = hexToBytes('11'.repeat(32));
  const sig = hexToBytes('22'.repeat(64));

  it('hashes a proofhub leaf as SHA-256(0x00 ‖ id ‖ sig)', () => {
    expect(bytesToHex(leafHash(id, sig))).toBe(sha256Hex(concatBytes(Uint8Array.of(0), id, sig)));
    expect(bytesToHex(leafHash(id, sig))).toBe(bytesToHex(leafHashOfData(concatBytes(id, sig))));
  });

  it('refuses ids and signatures of the wrong length', () => {
    expect(() => leafHash(id.subarray(1), sig)).toThrow(RangeError);
    expect(() => leafHash(id, sig.subarray(1))).toThrow(RangeError);
  });

  it('hashes RFC 6962 data leaves and nodes with their domain prefixes', () => {
    // The RFC 6962 reference leaf "" and the empty tree.
    expect(bytesToHex(leafHashOfData(new Uint8Array(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(bytesToHex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const left = leafHashOfData(Uint8Array.of(0));
    const right = leafHashOfData(Uint8Array.of(0x10));
    expect(bytesToHex(nodeHash(left, right))).toBe(sha256Hex(concatBytes(Uint8Array.of(1), left, right)));
    expect(bytesToHex(new NodeHasher().hash(left, right))).toBe(bytesToHex(nodeHash(left, right)));
    // A leaf never hashes like the node made of the same bytes.
    expect(bytesToHex(leafHashOfData(concatBytes(left, right)))).not.toBe(bytesToHex(nodeHash(left, right)));
  });

  it('reuses its scratch buffer without mixing up successive hashes', () => {
    const hasher = new NodeHasher();
    const a = hasher.hash(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
    const b = hasher.hash(new Uint8Array(32).fill(3), new Uint8Array(32).fill(4));
    expect(bytesToHex(a)).toBe(bytesToHex(nodeHash(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2))));
    expect(bytesToHex(b)).toBe(bytesToHex(nodeHash(new Uint8Array(32).fill(3), new Uint8Array(32).fill(4))));
  });
});
