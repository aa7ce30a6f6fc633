// One proof's anchor (lib/protocol/chain.ts AnchorWire), checked as a light client: the commit
// certificate against the pinned genesis set, then the RFC 9162 §2.1.3.2 inclusion proof of the
// proof's leaf, SHA-256(0x00 ‖ id ‖ sig) (DESIGN.md, Log and chain), up to the certified root.
import { base64urlToBytes, bytesToHex, hexToBytes } from '../bytes';
import type { SignatureVerifier } from '../crypto/types';
import { fail, ok, type Result } from '../errors';
import { leafHash } from '../merkle/hashing';
import { verifyInclusion } from '../merkle/verify';
import { anchorSchema } from '../protocol/chain';
import { CertificateVerifier } from './certificates';
import type { ChainVerifyErrorCode } from './errors';
import type { PinnedChain } from './validator-set';

/** What a checked anchor proves: the proof's leaf is at leafIndex of the certified tree {treeSize, root}. */
export interface VerifiedAnchor {
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Lowercase hex. */
  readonly root: string;
  /** Height of the block whose certificate names the head. */
  readonly certifiedHeight: number;
  /** Height of the block that first carried the leaf, as the anchor states it. */
  readonly blockHeight: number;
  /** Indexes of the validators whose signatures the certificate carries. */
  readonly signers: readonly number[];
}

export type AnchorVerdict = Result<VerifiedAnchor, ChainVerifyErrorCode>;

const ID_PATTERN = /^[0-9a-f]{64}$/;
const SIG_PATTERN = /^[A-Za-z0-9_-]{86}$/;

/** The leaf hash of a signed proof, or null when its id or sig is not even well formed. */
export function proofLeafHash(proof: unknown): Uint8Array | null {
  if (typeof proof !== 'object' || proof === null) return null;
  const { id, sig } = proof as { id?: unknown; sig?: unknown };
  if (typeof id !== 'string' || typeof sig !== 'string' || !ID_PATTERN.test(id) || !SIG_PATTERN.test(sig)) return null;
  const sigBytes = base64urlToBytes(sig);
  if (sigBytes.length !== 64) return null;
  return leafHash(hexToBytes(id), sigBytes);
}

/**
 * Checks that `anchor` places the signed proof `proof` in the certified log. Pass the same
 * CertificateVerifier (or `certificates`) for many anchors so each certificate is checked once.
 * Never throws. The proof's own id and signature are not checked here (lib/proof does that).
 */
export function verifyAnchor(
  proof: unknown,
  anchor: unknown,
  pinned: PinnedChain,
  verifier: SignatureVerifier,
  certificates: CertificateVerifier = new CertificateVerifier(pinned, verifier),
): AnchorVerdict {
  const parsed = anchorSchema.safeParse(anchor);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail('invalid_anchor', `not an anchor: ${issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}`}`);
  }
  const a = parsed.data;
  if (a.inclusion.index !== a.leaf_index || a.inclusion.size !== a.tree_size || a.inclusion.root !== a.root) {
    return fail('anchor_inconsistent', 'the inclusion proof names another leaf index, tree size or root than the anchor');
  }
  if (a.block_height > a.certificate.header.height) {
    return fail('anchor_inconsistent', `block_height ${a.block_height} is above the certified block ${a.certificate.header.height}`);
  }
  const head = certificates.verify(a.certificate);
  if (!head.ok) return head;
  if (head.value.logSize !== a.tree_size || bytesToHex(head.value.logRoot) !== a.root) {
    return fail('certificate_head_mismatch', `the certificate certifies tree ${head.value.logSize}/${bytesToHex(head.value.logRoot).slice(0, 12)}…, the anchor names ${a.tree_size}/${a.root.slice(0, 12)}…`);
  }
  const leaf = proofLeafHash(proof);
  if (leaf === null) return fail('inclusion_invalid', 'the proof has no well-formed id and sig to hash into a leaf', { reason: 'malformed' });
  const included = verifyInclusion({ leafHash: leaf, index: a.leaf_index, size: a.tree_size, path: a.inclusion.path.map(hexToBytes), root: head.value.logRoot });
  if (!included.ok) return fail('inclusion_invalid', `inclusion proof: ${included.error.message}`, { reason: included.error.code });
  return ok({
    leafIndex: a.leaf_index,
    treeSize: a.tree_size,
    root: a.root,
    certifiedHeight: head.value.height,
    blockHeight: a.block_height,
    signers: [...a.certificate.qc.signers],
  });
}
