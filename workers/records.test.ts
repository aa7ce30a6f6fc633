// The committed block record: built with a node:crypto payload hash that must equal the lib's, and
// parsed back only when it is self-consistent.
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '@/lib/bytes';
import { type Block, blockHash, blockHeader, blockHeaderToJson, blockToJson, payloadHash, quorumCertToJson, validatorSetHash } from '@/lib/consensus';
import { nodeHasher } from '@/server/crypto/sha256-node';
import { makeSignedLeaves } from './client';
import { blockHeaderNode, committedRecordToJson, parseCommittedRecord, payloadHashNode } from './records';

const identity = { chainId: new Uint8Array(32).fill(1), setHash: validatorSetHash([new Uint8Array(32).fill(2)]) };

function sampleBlock(leafCount: number): Block {
  const leaves = makeSignedLeaves(leafCount).map((leaf) => ({ publicKey: hexToBytes(leaf.pub), id: hexToBytes(leaf.id), sig: hexToBytes(leaf.sig) }));
  return {
    height: 3,
    view: 4,
    parent: new Uint8Array(32).fill(5),
    leaves,
    treeHead: { size: 10 + leafCount, root: new Uint8Array(32).fill(6) },
    justify: { view: 3, blockHash: new Uint8Array(32).fill(5), committedHash: new Uint8Array(32), signers: [0], signatures: [new Uint8Array(64)] },
  };
}

describe('committed block records', () => {
  it.each([0, 1, 37])('hashes the payload exactly as lib/consensus does (%i leaves)', (count) => {
    const block = sampleBlock(count);
    expect(bytesToHex(payloadHashNode(block.leaves))).toBe(bytesToHex(payloadHash(block.leaves)));
    expect(blockHeaderNode(identity, block)).toEqual(blockHeader(block, identity.chainId, identity.setHash));
    // The hasher the validators give the consensus core (node:crypto) names every block as the default does.
    expect(bytesToHex(blockHash(block, identity.chainId, identity.setHash, nodeHasher))).toBe(bytesToHex(blockHash(block, identity.chainId, identity.setHash)));
  });

  it.each([0, 1, 37])('writes exactly the generic wire JSON (%i leaves)', (count) => {
    const block = sampleBlock(count);
    const hash = blockHash(block, identity.chainId, identity.setHash);
    const generic = {
      height: block.height,
      hash: bytesToHex(hash),
      header: blockHeaderToJson(blockHeader(block, identity.chainId, identity.setHash)),
      block: blockToJson(block),
      certificate: quorumCertToJson(block.justify),
      certified_by: 7,
    };
    expect(committedRecordToJson(identity, block, hash, block.justify, 7)).toBe(JSON.stringify(generic));
  });

  it('round-trips, and refuses a record whose hash or height does not match its block', () => {
    const block = sampleBlock(5);
    const hash = blockHash(block, identity.chainId, identity.setHash);
    const json = JSON.parse(committedRecordToJson(identity, block, hash, null, 9)) as Record<string, unknown>;
    const parsed = parseCommittedRecord(identity, json);
    expect(typeof parsed).not.toBe('string');
    if (typeof parsed !== 'string') {
      expect(bytesToHex(parsed.hash)).toBe(bytesToHex(hash));
      expect(parsed.certifiedBy).toBe(9);
    }
    expect(parseCommittedRecord(identity, { ...json, hash: 'ab'.repeat(32) })).toMatch(/hash/);
    expect(parseCommittedRecord(identity, { ...json, height: 4 })).toMatch(/height/);
    expect(parseCommittedRecord(identity, { ...json, extra: 1 })).toMatch(/malformed/);
    const block2 = { ...(json.block as object), view: 99 };
    expect(parseCommittedRecord(identity, { ...json, block: block2 })).toMatch(/hash/);
  });
});
