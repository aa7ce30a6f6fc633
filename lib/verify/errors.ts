// Stable failure and warning codes of lib/verify (part of the public contract: the browser's
// "Verify thread" report, `proofhub verify` on a bundle, import refusals). Proof-level codes from
// lib/proof (bad_signature, id_mismatch, fork, …) pass through unchanged beside these.

/** Codes about the validator set, certificates, anchors and tree heads. */
export type ChainVerifyErrorCode =
  /** The validator set object or its genesis file does not have the expected shape. */
  | 'invalid_validator_set'
  /** genesis_hash is not SHA-256 of the RFC 8785 form of the genesis file. */
  | 'genesis_hash_mismatch'
  /** The set's validator keys (or chain id) are not the genesis file's, in order. */
  | 'validator_set_mismatch'
  /** The anchor does not have the wire shape of lib/protocol/chain.ts. */
  | 'invalid_anchor'
  /** The anchor's own fields disagree (inclusion index/size/root vs leaf_index/tree_size/root). */
  | 'anchor_inconsistent'
  /** The commit certificate does not verify against the pinned set (details.reason: lib/consensus code). */
  | 'invalid_certificate'
  /** The certificate certifies another tree head than the anchor or head names. */
  | 'certificate_head_mismatch'
  /** The inclusion proof does not lead from the proof's leaf to the certified root (details.reason: lib/merkle code). */
  | 'inclusion_invalid'
  /** Two tree heads cannot both be the log's (same size, different roots; or a consistency proof fails). */
  | 'heads_inconsistent'
  /** Two distinct tree heads with no consistency proof between them in the input. */
  | 'consistency_missing'
  /** A certified head object does not have the wire shape. */
  | 'invalid_head';

/** Codes about items that are not proof-format failures. */
export type ItemVerifyErrorCode =
  /** A post or reply came without its content and without saying it was purged. */
  | 'content_missing'
  /** An issuer's inception (seq 1 identity) proof is not in the input, so its key history cannot be checked. */
  | 'identity_missing'
  /** The item is anchored but no validator set was given to check the anchor with. */
  | 'validator_set_missing'
  /** The item (or the identity list) is not an object of the expected shape. */
  | 'invalid_item';

/** Not failures: things a report says but a verifier accepts (unless told otherwise). */
export type VerifyWarningCode =
  /** The item carries no anchor (not yet in a certified block, or exported without one). */
  | 'unanchored'
  /** The hub purged the item's content; the proof itself still checks. */
  | 'content_purged';

export type VerifyErrorCode = ChainVerifyErrorCode | ItemVerifyErrorCode;
