// Fixed binary encodings of everything the chain hashes or signs (docs/consensus.md, "Encodings").
// Each starts with its own ASCII domain tag and has a fixed layout, so no two kinds of message can
// be confused and a light client in any language can rebuild them. Integers are unsigned 64-bit
// big-endian; JavaScript callers are limited to safe integers (2^53 - 1), far beyond any view.
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8Encode } from '../bytes';
import type { Hasher } from '../crypto/sha256';
import type { Block, BlockHeader, Hash, LogLeaf, QuorumCert } from './types';

export const HEADER_TAG = utf8Encode('proofhub/header/v1');
export const VOTE_TAG = utf8Encode('proofhub/vote/v1');
export const TIMEOUT_TAG = utf8Encode('proofhub/timeout/v1');
export const VALIDATOR_SET_TAG = utf8Encode('proofhub/validators/v1');
export const PAYLOAD_TAG = utf8Encode('proofhub/payload/v1');

export const HASH_LENGTH = 32;
export const PUBLIC_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
export const LEAF_LENGTH = PUBLIC_KEY_LENGTH + 32 + SIGNATURE_LENGTH;
export const ZERO_HASH: Hash = new Uint8Array(HASH_LENGTH);

/** SHA-256 of bytes, through `hasher` when given (else @noble/hashes). */
export function hashBytes(bytes: Uint8Array, hasher?: Hasher): Hash {
  return hasher === undefined ? sha256(bytes) : hasher.sha256(bytes);
}

function checkLength(name: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) throw new TypeError(`${name} must be ${length} bytes, got ${bytes.length}`);
}

/** Sequential writer over a buffer of known size; throws on a layout mistake rather than truncating. */
class ByteWriter {
  private readonly out: Uint8Array;
  private readonly view: DataView;
  private offset = 0;

  constructor(length: number) {
    this.out = new Uint8Array(length);
    this.view = new DataView(this.out.buffer);
  }

  bytes(part: Uint8Array): this {
    this.out.set(part, this.offset);
    this.offset += part.length;
    return this;
  }

  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new TypeError(`not a u32: ${value}`);
    this.view.setUint32(this.offset, value);
    this.offset += 4;
    return this;
  }

  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`not a non-negative safe integer: ${value}`);
    this.view.setUint32(this.offset, Math.floor(value / 0x1_0000_0000));
    this.view.setUint32(this.offset + 4, value >>> 0);
    this.offset += 8;
    return this;
  }

  finish(): Uint8Array {
    if (this.offset !== this.out.length) throw new Error(`encoding wrote ${this.offset} of ${this.out.length} bytes`);
    return this.out;
  }
}

/** "proofhub/validators/v1" ‖ u32 n ‖ key_0 ‖ … ‖ key_{n-1}, hashed. Pins the set a header was made under. */
export function validatorSetHash(validators: readonly Uint8Array[]): Hash {
  const writer = new ByteWriter(VALIDATOR_SET_TAG.length + 4 + validators.length * PUBLIC_KEY_LENGTH);
  writer.bytes(VALIDATOR_SET_TAG).u32(validators.length);
  for (const key of validators) {
    checkLength('validator key', key, PUBLIC_KEY_LENGTH);
    writer.bytes(key);
  }
  return hashBytes(writer.finish());
}

/** "proofhub/payload/v1" ‖ u32 count ‖ (publicKey ‖ id ‖ sig)*, hashed. */
export function payloadHash(leaves: readonly LogLeaf[], hasher?: Hasher): Hash {
  const writer = new ByteWriter(PAYLOAD_TAG.length + 4 + leaves.length * LEAF_LENGTH);
  writer.bytes(PAYLOAD_TAG).u32(leaves.length);
  for (const leaf of leaves) {
    checkLength('leaf public key', leaf.publicKey, PUBLIC_KEY_LENGTH);
    checkLength('leaf id', leaf.id, 32);
    checkLength('leaf signature', leaf.sig, SIGNATURE_LENGTH);
    writer.bytes(leaf.publicKey).bytes(leaf.id).bytes(leaf.sig);
  }
  return hashBytes(writer.finish(), hasher);
}

/**
 * "proofhub/header/v1" ‖ chainId(32) ‖ height u64 ‖ view u64 ‖ parent(32) ‖ logSize u64 ‖
 * logRoot(32) ‖ validatorSetHash(32) ‖ payloadHash(32): 202 bytes.
 */
export function encodeHeader(header: BlockHeader): Uint8Array {
  checkLength('chainId', header.chainId, HASH_LENGTH);
  checkLength('parent', header.parent, HASH_LENGTH);
  checkLength('logRoot', header.logRoot, HASH_LENGTH);
  checkLength('validatorSetHash', header.validatorSetHash, HASH_LENGTH);
  checkLength('payloadHash', header.payloadHash, HASH_LENGTH);
  return new ByteWriter(HEADER_TAG.length + 32 + 8 + 8 + 32 + 8 + 32 + 32 + 32)
    .bytes(HEADER_TAG)
    .bytes(header.chainId)
    .u64(header.height)
    .u64(header.view)
    .bytes(header.parent)
    .u64(header.logSize)
    .bytes(header.logRoot)
    .bytes(header.validatorSetHash)
    .bytes(header.payloadHash)
    .finish();
}

export function headerHash(header: BlockHeader, hasher?: Hasher): Hash {
  return hashBytes(encodeHeader(header), hasher);
}

export function blockHeader(block: Block, chainId: Uint8Array, setHash: Hash, hasher?: Hasher): BlockHeader {
  return {
    chainId,
    height: block.height,
    view: block.view,
    parent: block.parent,
    logSize: block.treeHead.size,
    logRoot: block.treeHead.root,
    validatorSetHash: setHash,
    payloadHash: payloadHash(block.leaves, hasher),
  };
}

/** SHA-256 of the block's header; `hasher` as in hashBytes (every back-end gives the same hash). */
export function blockHash(block: Block, chainId: Uint8Array, setHash: Hash, hasher?: Hasher): Hash {
  return headerHash(blockHeader(block, chainId, setHash, hasher), hasher);
}

/** "proofhub/vote/v1" ‖ chainId(32) ‖ view u64 ‖ blockHash(32) ‖ committedHash(32): 120 bytes. */
export function voteMessage(chainId: Uint8Array, view: number, hash: Hash, committedHash: Hash): Uint8Array {
  checkLength('chainId', chainId, HASH_LENGTH);
  checkLength('blockHash', hash, HASH_LENGTH);
  checkLength('committedHash', committedHash, HASH_LENGTH);
  return new ByteWriter(VOTE_TAG.length + 32 + 8 + 32 + 32).bytes(VOTE_TAG).bytes(chainId).u64(view).bytes(hash).bytes(committedHash).finish();
}

/** "proofhub/timeout/v1" ‖ chainId(32) ‖ view u64 ‖ highQCView u64: 67 bytes. */
export function timeoutMessage(chainId: Uint8Array, view: number, highQCView: number): Uint8Array {
  checkLength('chainId', chainId, HASH_LENGTH);
  return new ByteWriter(TIMEOUT_TAG.length + 32 + 8 + 8).bytes(TIMEOUT_TAG).bytes(chainId).u64(view).u64(highQCView).finish();
}

/** The genesis block: height 0, view 0, zero parent, the empty log. Its QC is genesisQC(). */
export function genesisBlock(genesisHead: { size: number; root: Hash }): Block {
  return {
    height: 0,
    view: 0,
    parent: ZERO_HASH,
    leaves: [],
    treeHead: { size: genesisHead.size, root: genesisHead.root },
    justify: { view: 0, blockHash: ZERO_HASH, committedHash: ZERO_HASH, signers: [], signatures: [] },
  };
}

/** The certificate every node holds for genesis without anyone signing it. */
export function genesisQC(genesisHash: Hash): QuorumCert {
  return { view: 0, blockHash: genesisHash, committedHash: ZERO_HASH, signers: [], signatures: [] };
}

export function isZeroHash(hash: Hash): boolean {
  for (let i = 0; i < hash.length; i++) if (hash[i] !== 0) return false;
  return hash.length === HASH_LENGTH;
}

const HEX_DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex for map keys on the hot path (same output as bytesToHex, without input checks). */
export function hexKey(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_DIGITS[bytes[i] as number] as string;
  return out;
}
