// Stable rejection codes of the proof format. They are part of the public contract: REST answers,
// Socket.IO acks, validator refusals and `proofhub verify` reports all carry them, so a code is
// never renamed or reused for another meaning (docs/proof-format.md has the table).
import type { Failure } from '../errors';

export const PROOF_ERROR_CODES = [
  // Parsing a single proof (verifyProof), in the order the checks run.
  'malformed_proof',
  'unsupported_version',
  'unknown_type',
  'too_large',
  'invalid_did',
  'invalid_claim',
  'wrong_hub',
  'timestamp_skew',
  'id_mismatch',
  'bad_signature',
  // Chains (checkChainLink, ChainTracker).
  'seq_gap',
  'prev_mismatch',
  'fork',
  'duplicate',
  // Identity replay and delegation (identity.ts, verifyProofSet).
  'unknown_key',
  'key_revoked',
  'not_delegated',
  'scope_denied',
  'delegation_expired',
  // Threads and content.
  'unknown_parent',
  'invalid_content',
  'content_mismatch',
] as const;

export type ProofErrorCode = (typeof PROOF_ERROR_CODES)[number];

export type ProofFailure<Code extends ProofErrorCode = ProofErrorCode> = Failure<Code>;

const codeSet: ReadonlySet<string> = new Set(PROOF_ERROR_CODES);

export function isProofErrorCode(value: unknown): value is ProofErrorCode {
  return typeof value === 'string' && codeSet.has(value);
}

/**
 * Thrown only where an API cannot return a Result (signProof) or a caller broke a stated
 * precondition (identity replay out of order). Verification paths never throw.
 */
export class ProofError extends Error {
  override readonly name = 'ProofError';
  constructor(
    readonly code: ProofErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
