// The JSON a validator stores and serves for each committed block, and its checks on the way in.
//
//   { "height", "hash", "header": BlockHeaderJson, "block": BlockJson,
//     "certificate": QuorumCertJson | null, "certified_by": height }
//
// `certificate` is the QC whose committed_hash is this block's hash (the commit certificate a light
// client checks with verifyCommitCertificate). Only the last block of each commit has one: blocks
// committed with it as ancestors are certified by that later block through the parent hashes of
// the headers in between, and `certified_by` names its height.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { bytesEqual, hexToBytes } from '@/lib/bytes';
import {
  type Block,
  type BlockHeader,
  blockHeaderJsonSchema,
  blockHeaderToJson,
  blockJsonSchema,
  blockToJson,
  decodeBlock,
  decodeQuorumCert,
  headerHash,
  type LogLeaf,
  type QuorumCert,
  quorumCertJsonSchema,
  quorumCertToJson,
} from '@/lib/consensus';
import { PAYLOAD_TAG } from '@/lib/consensus/encoding';
import { hexOf } from './hex';

export const committedBlockRecordSchema = z.strictObject({
  height: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  header: blockHeaderJsonSchema,
  block: blockJsonSchema,
  certificate: quorumCertJsonSchema.nullable(),
  certified_by: z.number().int().nonnegative(),
});
export type CommittedBlockRecordJson = z.infer<typeof committedBlockRecordSchema>;

export interface CommittedBlockRecord {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly header: BlockHeader;
  readonly block: Block;
  readonly certificate: QuorumCert | null;
  readonly certifiedBy: number;
}

export interface ChainIdentity {
  readonly chainId: Uint8Array;
  readonly setHash: Uint8Array;
}

/**
 * payloadHash of lib/consensus/encoding.ts ("proofhub/payload/v1" ‖ u32 count ‖ (key ‖ id ‖ sig)*)
 * on node:crypto: the same bytes, several times faster than the pure-JS SHA-256 for 1,000-leaf
 * blocks, and it runs on every commit. A test checks it against the lib function.
 */
export function payloadHashNode(leaves: readonly LogLeaf[]): Uint8Array {
  const hash = createHash('sha256');
  const count = Buffer.alloc(4);
  count.writeUInt32BE(leaves.length);
  hash.update(PAYLOAD_TAG).update(count);
  for (const leaf of leaves) hash.update(leaf.publicKey).update(leaf.id).update(leaf.sig);
  return new Uint8Array(hash.digest());
}

/** blockHeader() with the payload hash on node:crypto. */
export function blockHeaderNode(identity: ChainIdentity, block: Block): BlockHeader {
  return {
    chainId: identity.chainId,
    height: block.height,
    view: block.view,
    parent: block.parent,
    logSize: block.treeHead.size,
    logRoot: block.treeHead.root,
    validatorSetHash: identity.setHash,
    payloadHash: payloadHashNode(block.leaves),
  };
}

/**
 * The stored and served JSON of a committed block. The leaves, the only part that grows with the
 * block, are written as text directly with native hex (blockToJson + JSON.stringify spent ~3 µs a
 * leaf); the rest goes through the wire functions. A test checks it equals the generic form.
 */
export function committedRecordToJson(identity: ChainIdentity, block: Block, hash: Uint8Array, certificate: QuorumCert | null, certifiedBy: number): string {
  const record: CommittedBlockRecordJson = {
    height: block.height,
    hash: hexOf(hash),
    header: blockHeaderToJson(blockHeaderNode(identity, block)),
    block: blockToJson({ ...block, leaves: [] }),
    certificate: certificate === null ? null : quorumCertToJson(certificate),
    certified_by: certifiedBy,
  };
  const json = JSON.stringify(record);
  if (block.leaves.length === 0) return json;
  const leaves = block.leaves.map((leaf) => `{"public_key":"${hexOf(leaf.publicKey)}","id":"${hexOf(leaf.id)}","sig":"${hexOf(leaf.sig)}"}`).join(',');
  const marker = '"leaves":[]';
  const at = json.indexOf(marker);
  return `${json.slice(0, at)}"leaves":[${leaves}]${json.slice(at + marker.length)}`;
}

/**
 * Parses a record (ours from disk, or a peer's from RPC) and checks it is self-consistent: the
 * header is the block's header under this chain, and the hash is the header's hash. Whether the
 * block is committed is for the caller to check against a certificate.
 */
export function parseCommittedRecord(identity: ChainIdentity, json: unknown): CommittedBlockRecord | string {
  const parsed = committedBlockRecordSchema.safeParse(json);
  if (!parsed.success) return `malformed block record: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
  const decoded = decodeBlock(parsed.data.block);
  if (!decoded.ok) return decoded.error.message;
  const block = decoded.value;
  const header = blockHeaderNode(identity, block);
  const hash = headerHash(header);
  if (parsed.data.height !== block.height) return 'record height differs from the block height';
  if (!bytesEqual(hash, hexToBytes(parsed.data.hash))) return 'record hash is not the hash of the block header';
  let certificate: QuorumCert | null = null;
  if (parsed.data.certificate !== null) {
    const qc = decodeQuorumCert(parsed.data.certificate);
    if (!qc.ok) return qc.error.message;
    certificate = qc.value;
  }
  return { height: block.height, hash, header, block, certificate, certifiedBy: parsed.data.certified_by };
}
