// The compact block form: round-trips exactly, and anything malformed decodes to null (never a
// half-read block), including a JSON part that smuggles leaves or a leaf area of the wrong size.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexToBytes, utf8Encode } from '@/lib/bytes';
import { type Block, blockToJson, validatorSetHash, blockHash } from '@/lib/consensus';
import { decodeBlockBinary, decodeProposalBinary, encodeBlockBinary, encodeProposalBinary } from './block-codec';
import { makeSignedLeaves } from './client';

function sampleBlock(leafCount: number): Block {
  return {
    height: 8,
    view: 9,
    parent: new Uint8Array(32).fill(3),
    leaves: makeSignedLeaves(leafCount).map((leaf) => ({ publicKey: hexToBytes(leaf.pub), id: hexToBytes(leaf.id), sig: hexToBytes(leaf.sig) })),
    treeHead: { size: 40, root: new Uint8Array(32).fill(4) },
    justify: { view: 8, blockHash: new Uint8Array(32).fill(3), committedHash: new Uint8Array(32), signers: [0, 1, 2], signatures: [new Uint8Array(64).fill(1), new Uint8Array(64).fill(2), new Uint8Array(64).fill(3)] },
  };
}

const chainId = new Uint8Array(32).fill(7);
const setHash = validatorSetHash([new Uint8Array(32).fill(8)]);

describe('block codec', () => {
  it.each([0, 1, 50])('round-trips a block and a proposal with %i leaves', (count) => {
    const block = sampleBlock(count);
    const decoded = decodeBlockBinary(encodeBlockBinary(block));
    expect(decoded).not.toBeNull();
    expect(blockToJson(decoded as Block)).toEqual(blockToJson(block));
    expect(blockHash(decoded as Block, chainId, setHash)).toEqual(blockHash(block, chainId, setHash));
    const framed = encodeProposalBinary({ type: 'proposal', block, tc: null }, [3]);
    expect(framed[0]).toBe(3);
    const proposal = decodeProposalBinary(framed.subarray(1));
    expect(proposal && blockToJson(proposal.block)).toEqual(blockToJson(block));
  });

  it('refuses truncation, a leaf area of the wrong size, leaves inside the JSON, and garbage', () => {
    const bytes = encodeBlockBinary(sampleBlock(3));
    expect(decodeBlockBinary(bytes.subarray(0, bytes.length - 1))).toBeNull();
    expect(decodeBlockBinary(bytes.subarray(0, 10))).toBeNull();
    expect(decodeBlockBinary(new Uint8Array([0, 0, 0, 200, 1, 2]))).toBeNull();
    const smuggled = utf8Encode(JSON.stringify(blockToJson(sampleBlock(1))));
    const withLeavesInJson = new Uint8Array(4 + smuggled.length);
    new DataView(withLeavesInJson.buffer).setUint32(0, smuggled.length);
    withLeavesInJson.set(smuggled, 4);
    expect(decodeBlockBinary(withLeavesInJson)).toBeNull();
    // A block is not a proposal.
    expect(decodeProposalBinary(bytes)).toBeNull();
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(() => decodeBlockBinary(bytes)).not.toThrow();
        expect(() => decodeProposalBinary(bytes)).not.toThrow();
      }),
    );
  });
});
