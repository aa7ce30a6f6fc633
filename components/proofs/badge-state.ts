// What a proof's badge may say, and how the browser decides it. The rule (DESIGN.md, "One Ed25519
// rule"): the browser re-checks what the server claims. `signed` and everything above it can only
// be built from a BrowserChecked value, which only check-proof.ts makes after the browser itself
// checked the signature, content digest and chain link; the server's `status` never turns a
// badge green on its own.
import type { VerifiedProof } from '@/lib/proof/proof';
import type { AnchorWire } from '@/lib/protocol/chain';

declare const browserCheckedBrand: unique symbol;

/** Proof that this browser checked signature, content and chain link. Made only by check-proof.ts. */
export interface BrowserChecked {
  readonly proof: VerifiedProof;
  /** The content was purged by the hub: the proof still checks, the text is gone. */
  readonly contentPurged: boolean;
  readonly [browserCheckedBrand]: true;
}

/**
 * Anchor data for `anchored` and `verified`. `anchored`: the hub says the proof is in a block
 * (height when it said which). `verified`: this browser checked the anchor itself (anchor-check.ts,
 * lib/verify verifyAnchor): the certificate's quorum against the pinned genesis keys and the
 * inclusion proof up to the certified root; `wire` is the anchor it checked and `signers` the
 * validators whose signatures the certificate carries.
 */
export interface AnchorInfo {
  readonly height?: number;
  readonly treeSize?: number;
  readonly leafIndex?: number;
  /** Certified root (hex), verified only. */
  readonly root?: string;
  /** Height of the block whose certificate names the head, verified only. */
  readonly certifiedHeight?: number;
  readonly signers?: readonly number[];
  readonly wire?: AnchorWire;
}

export interface InvalidReason {
  readonly code: string;
  readonly message: string;
}

export type BadgeState =
  /** Sent by this browser, not yet stored by the hub. */
  | { readonly state: 'pending' }
  /** Received; the browser is still checking it. */
  | { readonly state: 'checking' }
  | { readonly state: 'signed'; readonly checked: BrowserChecked }
  | { readonly state: 'anchored'; readonly checked: BrowserChecked; readonly anchor: AnchorInfo }
  | { readonly state: 'verified'; readonly checked: BrowserChecked; readonly anchor: AnchorInfo; readonly inclusionChecked: true }
  | { readonly state: 'invalid'; readonly reason: InvalidReason };

export type BadgeStateName = BadgeState['state'];
