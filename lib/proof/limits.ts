// Explicit limits of the proof format (docs/proof-format.md, "Limits"). String lengths count
// UTF-16 code units (JavaScript `length`), sizes count UTF-8 bytes of the JCS form.

export const PROOF_LIMITS = {
  /** UTF-8 bytes of the signed proof's RFC 8785 serialization. */
  maxProofBytes: 16 * 1024,
  /** Markdown body of a post or reply (in the content beside the proof, not in the proof). */
  maxBodyChars: 20_000,
  /** Title of a post (content). */
  maxTitleChars: 200,
  /** Entries in `evidence`. */
  maxEvidence: 16,
  /** |created_at - now| allowed when the caller passes `now` (admission time). */
  maxSkewMs: 5 * 60 * 1000,
  /** Moderation reason and revocation reason. */
  maxReasonChars: 500,
  /** Identity display name. */
  maxNameChars: 64,
  /** Hub id: [a-z0-9][a-z0-9_-]{0,63}. */
  maxHubIdChars: 64,
  /** Content salt: 16..64 random bytes, base64url without padding. */
  minSaltBytes: 16,
  maxSaltBytes: 64,
  /** Evidence link URL and label. */
  maxEvidenceUrlChars: 1024,
  maxEvidenceLabelChars: 200,
  /** A did:key for Ed25519 is 56 characters; anything much longer is refused before decoding. */
  maxDidChars: 128,
} as const;
