// Checking votes, timeouts and their certificates, for validators and for light clients. A
// certificate is accepted only if its signer indexes are strictly ascending (so distinct) and in
// range, there are at least a quorum of them, and every signature verifies: one bad signature
// rejects the whole certificate, so nothing half-valid is ever stored or relayed.
import { bytesEqual } from '../bytes';
import type { SignatureVerifier } from '../crypto/types';
import { fail, ok, type Result } from '../errors';
import { genesisQC, headerHash, isZeroHash, timeoutMessage, validatorSetHash, voteMessage } from './encoding';
import type { BlockHeader, Hash, QuorumCert, TimeoutCert, TimeoutVote, Vote } from './types';

export type CertificateErrorCode =
  | 'wrong_chain'
  | 'wrong_validator_set'
  | 'invalid_genesis_qc'
  | 'signature_count_mismatch'
  | 'signers_not_ascending'
  | 'signer_out_of_range'
  | 'insufficient_signatures'
  | 'invalid_signature'
  | 'invalid_high_qc'
  | 'commit_hash_mismatch'
  | 'commit_view_mismatch';

/** Most validators that may be faulty among n: the largest f with 3f < n. */
export function faultTolerance(n: number): number {
  return Math.floor((n - 1) / 3);
}

/** Smallest set size such that two quorums share at least f+1 validators; 2f+1 when n = 3f+1. */
export function quorumSize(n: number): number {
  return Math.floor((n + faultTolerance(n)) / 2) + 1;
}

/** Everything a check needs about the chain; build once with createChainContext. */
export interface ChainContext {
  readonly chainId: Uint8Array;
  readonly validators: readonly Uint8Array[];
  readonly setHash: Hash;
  readonly genesisHash: Hash;
  readonly quorum: number;
  readonly verifier: SignatureVerifier;
}

export function createChainContext(chainId: Uint8Array, validators: readonly Uint8Array[], genesisHash: Hash, verifier: SignatureVerifier): ChainContext {
  return { chainId, validators, setHash: validatorSetHash(validators), genesisHash, quorum: quorumSize(validators.length), verifier };
}

function checkSignerList(
  signers: readonly number[],
  signatures: readonly Uint8Array[],
  n: number,
  quorum: number,
): Result<void, CertificateErrorCode> {
  if (signers.length !== signatures.length) return fail('signature_count_mismatch', `${signers.length} signers but ${signatures.length} signatures`);
  for (let i = 0; i < signers.length; i++) {
    const signer = signers[i] ?? -1;
    if (!Number.isInteger(signer) || signer < 0 || signer >= n) return fail('signer_out_of_range', `signer index ${signer} is not in 0..${n - 1}`);
    if (i > 0 && signer <= (signers[i - 1] ?? -1)) return fail('signers_not_ascending', 'signer indexes must be strictly ascending (distinct)');
  }
  if (signers.length < quorum) return fail('insufficient_signatures', `${signers.length} signatures, ${quorum} needed`);
  return ok(undefined);
}

export function isGenesisQC(ctx: ChainContext, qc: QuorumCert): boolean {
  const genesis = genesisQC(ctx.genesisHash);
  return qc.view === 0 && qc.signers.length === 0 && qc.signatures.length === 0 && bytesEqual(qc.blockHash, genesis.blockHash) && isZeroHash(qc.committedHash);
}

function verifyQuorumSignatures(
  chainId: Uint8Array,
  validators: readonly Uint8Array[],
  quorum: number,
  verifier: SignatureVerifier,
  qc: QuorumCert,
): Result<void, CertificateErrorCode> {
  const listed = checkSignerList(qc.signers, qc.signatures, validators.length, quorum);
  if (!listed.ok) return listed;
  const message = voteMessage(chainId, qc.view, qc.blockHash, qc.committedHash);
  for (let i = 0; i < qc.signers.length; i++) {
    const key = validators[qc.signers[i] ?? -1];
    const signature = qc.signatures[i];
    if (key === undefined || signature === undefined || !verifier.verify(signature, message, key)) {
      return fail('invalid_signature', `signature of validator ${qc.signers[i]} does not verify`);
    }
  }
  return ok(undefined);
}

/** A QC is valid if it is the genesis QC, or view ≥ 1 with a quorum of valid vote signatures. */
export function verifyQuorumCert(ctx: ChainContext, qc: QuorumCert): Result<void, CertificateErrorCode> {
  if (qc.view === 0) return isGenesisQC(ctx, qc) ? ok(undefined) : fail('invalid_genesis_qc', 'a view-0 QC must be the genesis QC');
  return verifyQuorumSignatures(ctx.chainId, ctx.validators, ctx.quorum, ctx.verifier, qc);
}

export function verifyVote(ctx: ChainContext, vote: Vote): Result<void, CertificateErrorCode> {
  const key = ctx.validators[vote.signer];
  if (key === undefined) return fail('signer_out_of_range', `signer index ${vote.signer} is not a validator`);
  const message = voteMessage(ctx.chainId, vote.view, vote.blockHash, vote.committedHash);
  return ctx.verifier.verify(vote.signature, message, key) ? ok(undefined) : fail('invalid_signature', `vote of validator ${vote.signer} does not verify`);
}

/** How a check of a carried QC is done; the core passes one that consults its cache of verified QCs. */
export type QuorumCertCheck = (qc: QuorumCert) => Result<void, CertificateErrorCode>;

/** Checks the signature and that the carried QC is valid and older than the view being left. */
export function verifyTimeoutVote(
  ctx: ChainContext,
  timeout: TimeoutVote,
  checkQC: QuorumCertCheck = (qc) => verifyQuorumCert(ctx, qc),
): Result<void, CertificateErrorCode> {
  const key = ctx.validators[timeout.signer];
  if (key === undefined) return fail('signer_out_of_range', `signer index ${timeout.signer} is not a validator`);
  if (timeout.highQC.view >= timeout.view) return fail('invalid_high_qc', 'a timeout must carry a QC older than its view');
  if (!ctx.verifier.verify(timeout.signature, timeoutMessage(ctx.chainId, timeout.view, timeout.highQC.view), key)) {
    return fail('invalid_signature', `timeout of validator ${timeout.signer} does not verify`);
  }
  const qc = checkQC(timeout.highQC);
  return qc.ok ? ok(undefined) : fail('invalid_high_qc', `carried QC: ${qc.error.message}`);
}

/** Highest QC view named by the signers of a TC: a proposal justified by this TC must extend a QC at least this high. */
export function maxHighQCView(tc: TimeoutCert): number {
  let max = 0;
  for (const view of tc.highQCViews) if (view > max) max = view;
  return max;
}

export function verifyTimeoutCert(
  ctx: ChainContext,
  tc: TimeoutCert,
  checkQC: QuorumCertCheck = (qc) => verifyQuorumCert(ctx, qc),
): Result<void, CertificateErrorCode> {
  if (tc.view < 1) return fail('invalid_high_qc', 'no timeout certificate exists for view 0');
  const listed = checkSignerList(tc.signers, tc.signatures, ctx.validators.length, ctx.quorum);
  if (!listed.ok) return listed;
  if (tc.highQCViews.length !== tc.signers.length) return fail('signature_count_mismatch', 'one high-QC view per signer is required');
  for (const view of tc.highQCViews) {
    if (!Number.isSafeInteger(view) || view < 0 || view >= tc.view) return fail('invalid_high_qc', 'a timeout must name a QC older than its view');
  }
  // The carried QC must be the highest any signer reported, or a leader could hide a lock.
  if (tc.highQC.view !== maxHighQCView(tc)) return fail('invalid_high_qc', 'the carried QC is not the highest reported');
  for (let i = 0; i < tc.signers.length; i++) {
    const key = ctx.validators[tc.signers[i] ?? -1];
    const signature = tc.signatures[i];
    const message = timeoutMessage(ctx.chainId, tc.view, tc.highQCViews[i] ?? -1);
    if (key === undefined || signature === undefined || !ctx.verifier.verify(signature, message, key)) {
      return fail('invalid_signature', `timeout of validator ${tc.signers[i]} does not verify`);
    }
  }
  const qc = checkQC(tc.highQC);
  return qc.ok ? ok(undefined) : fail('invalid_high_qc', `carried QC: ${qc.error.message}`);
}

/** What a light client pins: the chain id and the genesis validator set. */
export interface PinnedValidatorSet {
  readonly chainId: Uint8Array;
  readonly validators: readonly Uint8Array[];
}

/** A tree head the validators certified as final. */
export interface CertifiedTreeHead {
  readonly height: number;
  readonly logSize: number;
  readonly logRoot: Hash;
  readonly blockHash: Hash;
}

/**
 * Light-client check that `header` is committed: `qc` is the QC on its child, whose voters signed
 * committedHash = hash(header), which honest voters only do when the child's view is the header's
 * view + 1 (the two-chain rule). Pure and synchronous: runs in the browser with the noble verifier.
 * Then check an RFC 9162 inclusion proof against the returned logRoot.
 */
export function verifyCommitCertificate(
  pinned: PinnedValidatorSet,
  header: BlockHeader,
  qc: QuorumCert,
  verifier: SignatureVerifier,
): Result<CertifiedTreeHead, CertificateErrorCode> {
  if (!bytesEqual(header.chainId, pinned.chainId)) return fail('wrong_chain', 'the header names another chain');
  if (!bytesEqual(header.validatorSetHash, validatorSetHash(pinned.validators))) {
    return fail('wrong_validator_set', 'the header was made under another validator set');
  }
  const hash = headerHash(header);
  if (!bytesEqual(qc.committedHash, hash)) return fail('commit_hash_mismatch', 'the certificate commits another block');
  if (qc.view !== header.view + 1) return fail('commit_view_mismatch', 'a commit certificate comes from the view right after the block');
  const signed = verifyQuorumSignatures(pinned.chainId, pinned.validators, quorumSize(pinned.validators.length), verifier, qc);
  if (!signed.ok) return signed;
  return ok({ height: header.height, logSize: header.logSize, logRoot: header.logRoot, blockHash: hash });
}
