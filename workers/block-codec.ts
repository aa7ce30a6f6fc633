// A compact form of a block for the validator's own wire and disk: the core's JSON wire form
// (lib/consensus/wire.ts, zod-checked) for everything but the leaves, and the leaves as raw
// 128-byte records (key ‖ id ‖ sig) behind it:
//
//   u32 jsonLength ‖ JSON of the block (or proposal) with "leaves": [] ‖ n × (key[32] ‖ id[32] ‖ sig[64])
//
// A 1,000-leaf block is 128 kB instead of 290 kB of hex, and decoding skips three regexes and three
// hex conversions per leaf (the leaves' shape is fixed by the layout: a length that is not a
// multiple of 128 is refused). Signatures and tree heads are checked by the core as for any block.
import { utf8Decode, utf8Encode } from '@/lib/bytes';
import {
  type Block,
  blockToJson,
  type ConsensusMessage,
  consensusMessageToJson,
  decodeBlock,
  decodeConsensusMessage,
  type LogLeaf,
  WIRE_LIMITS,
} from '@/lib/consensus';

export const LEAF_RECORD_BYTES = 128;

function frame(json: unknown, leaves: readonly LogLeaf[], prefix: number[] = []): Uint8Array {
  const text = utf8Encode(JSON.stringify(json));
  const out = new Uint8Array(prefix.length + 4 + text.length + leaves.length * LEAF_RECORD_BYTES);
  out.set(prefix, 0);
  let offset = prefix.length;
  new DataView(out.buffer).setUint32(offset, text.length);
  offset += 4;
  out.set(text, offset);
  offset += text.length;
  for (const leaf of leaves) {
    out.set(leaf.publicKey, offset);
    out.set(leaf.id, offset + 32);
    out.set(leaf.sig, offset + 64);
    offset += LEAF_RECORD_BYTES;
  }
  return out;
}

/**
 * Given one 128-byte leaf record (a view into the frame), returns an existing leaf object with
 * exactly those bytes (the validator's pooled leaf, already verified and hashed), or undefined.
 */
export type InternLeaf = (record: Uint8Array) => LogLeaf | undefined;

/** Splits a frame into its JSON value and its leaves; null when the layout is wrong. */
function unframe(bytes: Uint8Array, intern?: InternLeaf): { json: unknown; leaves: LogLeaf[] } | null {
  if (bytes.length < 4) return null;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (4 + length > bytes.length) return null;
  const rest = bytes.length - 4 - length;
  if (rest % LEAF_RECORD_BYTES !== 0 || rest / LEAF_RECORD_BYTES > WIRE_LIMITS.maxLeavesPerBlock) return null;
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(bytes.subarray(4, 4 + length)));
  } catch {
    return null;
  }
  const leaves: LogLeaf[] = [];
  for (let offset = 4 + length; offset < bytes.length; offset += LEAF_RECORD_BYTES) {
    const known = intern?.(bytes.subarray(offset, offset + LEAF_RECORD_BYTES));
    if (known !== undefined) {
      leaves.push(known);
      continue;
    }
    // Copies, not views: the frame buffer may be reused by the socket layer.
    leaves.push({ publicKey: bytes.slice(offset, offset + 32), id: bytes.slice(offset + 32, offset + 64), sig: bytes.slice(offset + 64, offset + 128) });
  }
  return { json, leaves };
}

export function encodeBlockBinary(block: Block): Uint8Array {
  return frame(blockToJson({ ...block, leaves: [] }), block.leaves);
}

export function decodeBlockBinary(bytes: Uint8Array): Block | null {
  const parts = unframe(bytes);
  if (!parts) return null;
  const decoded = decodeBlock(parts.json);
  if (!decoded.ok || decoded.value.leaves.length !== 0) return null;
  return { ...decoded.value, leaves: parts.leaves };
}

/** A proposal with its block's leaves as raw records, behind `prefix` (the link channel byte). */
export function encodeProposalBinary(message: Extract<ConsensusMessage, { type: 'proposal' }>, prefix: number[]): Uint8Array {
  return frame(consensusMessageToJson({ ...message, block: { ...message.block, leaves: [] } }), message.block.leaves, prefix);
}

export function decodeProposalBinary(bytes: Uint8Array, intern?: InternLeaf): Extract<ConsensusMessage, { type: 'proposal' }> | null {
  const parts = unframe(bytes, intern);
  if (!parts) return null;
  const decoded = decodeConsensusMessage(parts.json);
  if (!decoded.ok || decoded.value.type !== 'proposal' || decoded.value.block.leaves.length !== 0) return null;
  return { ...decoded.value, block: { ...decoded.value.block, leaves: parts.leaves } };
}
