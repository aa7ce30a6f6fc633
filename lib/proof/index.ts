// The proof format (docs/proof-format.md): schemas, ids, signing, verification of one proof and of
// sets, per-issuer chains, identity replay and delegation, content commitments. Pure: runs
// unchanged in Node and in the browser.
export { PROOF_ERROR_CODES, ProofError, isProofErrorCode } from './errors';
export type { ProofErrorCode, ProofFailure } from './errors';
export { PROOF_LIMITS } from './limits';
export {
  DELEGABLE_TYPES,
  DELEGATION_SCOPES,
  MODERATION_ACTIONS,
  PROOF_TYPES,
  PROOF_VERSION,
  REACTION_KINDS,
  UNSIGNED_FIELDS,
  VISIBILITIES,
  claimSchemas,
  delegationClaimSchema,
  evidenceEntrySchema,
  evidenceLinkSchema,
  evidenceSchema,
  hubIdSchema,
  identityClaimSchema,
  isProofType,
  keyRotationClaimSchema,
  moderationClaimSchema,
  postClaimSchema,
  proofDidSchema,
  proofIdSchema,
  reactionClaimSchema,
  replyClaimSchema,
  revocationClaimSchema,
  saltSchema,
  sha256HexSchema,
  signatureSchema,
  signedProofSchema,
  textSchema,
  timestampSchema,
  unsignedProofSchema,
} from './schema';
export type {
  ClaimOf,
  DelegableType,
  DelegationClaim,
  DelegationScope,
  EvidenceEntry,
  EvidenceLink,
  IdentityClaim,
  KeyRotationClaim,
  ModerationAction,
  ModerationClaim,
  PostClaim,
  ProofType,
  ReactionClaim,
  ReactionKind,
  ReplyClaim,
  RevocationClaim,
  SignedProof,
  SignedProofOf,
  UnsignedProof,
  UnsignedProofOf,
  Visibility,
} from './schema';
export {
  SIGNED_FIELDS_BYTES,
  buildUnsignedProof,
  checkProofId,
  checkProofSignature,
  checkTimestampSkew,
  computeProofId,
  computeProofIdBytes,
  isVerifiedProof,
  measureJsonBytes,
  parseSignedProof,
  parseUnsignedProof,
  proofIdToBytes,
  signProof,
  unsignedBodyOf,
  verifyProof,
} from './proof';
export type { BuildProofInput, VerifiedProof, VerifyProofOptions } from './proof';
export { checkContent, contentSchema, createContent, digestContent, parseContent } from './content';
export type { Content, ContentErrorCode } from './content';
export { ChainTracker, checkChainLink, classifyChainConflict } from './chain';
export type { ChainErrorCode, ChainFailure, ChainHead, ChainLink, ChainReport, ChainReportOptions, IssuerChainReport, SeqRange } from './chain';
export {
  applyIdentityProof,
  checkDelegatedProof,
  createIdentityState,
  keyEpochForSeq,
  keyForSeq,
  mayActFor,
  replayIdentity,
  scopeForProofType,
} from './identity';
export type { DelegationErrorCode, DelegationGrant, IdentityLookup, IdentityState, KeyEpoch, RevocationRecord } from './identity';
export { checkReplyLinks, checkTargetLink } from './thread';
export type { ReferenceErrorCode } from './thread';
export { verifyProofSet } from './verify-set';
export type { IssuerSummary, ProofSetEntry, ProofSetReport, VerifyProofSetOptions } from './verify-set';
