// lib/verify: checking proofs, anchors and tree heads with nothing trusted but the genesis
// validator set. Pure; runs in the browser and in Node (docs/bundles.md).
export type { ChainVerifyErrorCode, ItemVerifyErrorCode, VerifyErrorCode, VerifyWarningCode } from './errors';
export { verifyValidatorSet, type PinnedChain } from './validator-set';
export { CertificateVerifier, type CertificateVerdict } from './certificates';
export { proofLeafHash, verifyAnchor, type AnchorVerdict, type VerifiedAnchor } from './anchor';
export { checkTreeHeads, type HeadsFailure, type HeadsReport, type TreeHeadClaim } from './heads';
export {
  createAnsweringVerifier,
  createWebCryptoVerifier,
  toAsyncVerifier,
  webCryptoHasEd25519,
  type AsyncSignatureVerifier,
} from './async-verifier';
export {
  verifyItems,
  verifyThread,
  type ItemVerdict,
  type VerifyFailure,
  type VerifyItem,
  type VerifyItemsInput,
  type VerifyItemsOptions,
  type VerifyPhase,
  type VerifyProgress,
  type VerifyReport,
} from './items';
