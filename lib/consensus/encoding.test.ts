import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8Encode } from '../bytes';
import { encodeHeader, headerHash, payloadHash, timeoutMessage, validatorSetHash, voteMessage } from './encoding';

const fill = (byte: number, length = 32) => new Uint8Array(length).fill(byte);
const hexOf = (byte: number, length = 32) => bytesToHex(fill(byte, length));
const u64 = (value: number) => value.toString(16).padStart(16, '0');
const nodeSha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('header encoding (docs/consensus.md, Encodings)', () => {
  const header = { chainId: fill(1), height: 7, view: 9, parent: fill(2), logSize: 12, logRoot: fill(3), validatorSetHash: fill(4), payloadHash: fill(5) };

  it('is the tag followed by the fields in their fixed order, 202 bytes', () => {
    const expected =
      bytesToHex(utf8Encode('proofhub/header/v1')) + hexOf(1) + u64(7) + u64(9) + hexOf(2) + u64(12) + hexOf(3) + hexOf(4) + hexOf(5);
    const encoded = encodeHeader(header);
    expect(encoded.length).toBe(202);
    expect(bytesToHex(encoded)).toBe(expected);
  });

  it('hashes with SHA-256 (cross-checked against node:crypto; pinned for other implementations)', () => {
    expect(bytesToHex(headerHash(header))).toBe(nodeSha256(encodeHeader(header)));
    expect(bytesToHex(headerHash(header))).toBe('1821736221728642ac1d8c35251343dd66186778984ef3990eaf35edf181ca5f');
  });

  it('changes with every field', () => {
    const base = bytesToHex(headerHash(header));
    const variants = [
      { ...header, chainId: fill(9) },
      { ...header, height: 8 },
      { ...header, view: 10 },
      { ...header, parent: fill(9) },
      { ...header, logSize: 13 },
      { ...header, logRoot: fill(9) },
      { ...header, validatorSetHash: fill(9) },
      { ...header, payloadHash: fill(9) },
    ];
    for (const variant of variants) expect(bytesToHex(headerHash(variant))).not.toBe(base);
  });

  it('refuses fields of the wrong length or out of range instead of truncating', () => {
    expect(() => encodeHeader({ ...header, parent: fill(2, 31) })).toThrow(TypeError);
    expect(() => encodeHeader({ ...header, height: -1 })).toThrow(TypeError);
    expect(() => encodeHeader({ ...header, view: 2 ** 53 })).toThrow(TypeError);
    expect(() => encodeHeader({ ...header, logSize: 1.5 })).toThrow(TypeError);
  });
});

describe('signed messages', () => {
  it('vote: tag ‖ chainId ‖ view u64 ‖ blockHash ‖ committedHash, 120 bytes, big-endian view', () => {
    const message = voteMessage(fill(1), 2 ** 53 - 1, fill(6), fill(0));
    expect(message.length).toBe(120);
    expect(bytesToHex(message)).toBe(bytesToHex(utf8Encode('proofhub/vote/v1')) + hexOf(1) + '001fffffffffffff' + hexOf(6) + hexOf(0));
  });

  it('timeout: tag ‖ chainId ‖ view u64 ‖ highQCView u64, 67 bytes', () => {
    const message = timeoutMessage(fill(1), 10, 8);
    expect(message.length).toBe(67);
    expect(bytesToHex(message)).toBe(bytesToHex(utf8Encode('proofhub/timeout/v1')) + hexOf(1) + u64(10) + u64(8));
  });

  it('never collide across kinds: distinct tags and lengths', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), fc.nat({ max: 2 ** 40 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (view, other, hash) => {
        const vote = voteMessage(fill(1), view, hash, hash);
        const timeout = timeoutMessage(fill(1), view, other);
        expect(bytesToHex(vote)).not.toBe(bytesToHex(timeout));
        // Proof signatures cover exactly 32 bytes (a proof id); consensus messages are longer.
        expect(vote.length).toBeGreaterThan(32);
        expect(timeout.length).toBeGreaterThan(32);
      }),
    );
  });
});

describe('validator set and payload hashes', () => {
  it('validator set: tag ‖ u32 n ‖ keys, order matters', () => {
    const keys = [fill(7), fill(8)];
    const expected = nodeSha256(hexToBytes(bytesToHex(utf8Encode('proofhub/validators/v1')) + '00000002' + hexOf(7) + hexOf(8)));
    expect(bytesToHex(validatorSetHash(keys))).toBe(expected);
    expect(bytesToHex(validatorSetHash([fill(8), fill(7)]))).not.toBe(expected);
  });

  it('payload: tag ‖ u32 count ‖ (key ‖ id ‖ sig)*', () => {
    const leaf = { publicKey: fill(9), id: fill(10), sig: fill(11, 64) };
    const expected = nodeSha256(hexToBytes(bytesToHex(utf8Encode('proofhub/payload/v1')) + '00000001' + hexOf(9) + hexOf(10) + hexOf(11, 64)));
    expect(bytesToHex(payloadHash([leaf]))).toBe(expected);
    expect(bytesToHex(payloadHash([]))).toBe(nodeSha256(hexToBytes(bytesToHex(utf8Encode('proofhub/payload/v1')) + '00000000')));
    expect(() => payloadHash([{ ...leaf, sig: fill(11, 63) }])).toThrow(TypeError);
  });
});
