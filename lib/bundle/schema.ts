// The bundle format (docs/bundles.md): a self-contained, offline-verifiable export of a thread or
// a hub. Everything a verifier needs travels inside: the proofs with their content, the identity
// chains of every issuer, the anchors, the certified tree heads with consistency proofs between
// them, and the genesis validator set with its genesis file. Nothing in it is trusted: the schema
// fixes only the shape, and verifyBundle (lib/verify) checks every byte that matters.
import { z } from 'zod';
import { consistencyProofJsonSchema } from '../merkle/wire';
import { anchorSchema, certifiedHeadSchema, validatorSetSchema } from '../protocol/chain';

export const BUNDLE_FORMAT = 'proofhub-bundle';
export const BUNDLE_VERSION = 1;

/** Ceilings of one bundle document; a hub larger than this is exported in several files. */
export const BUNDLE_LIMITS = {
  maxItems: 200_000,
  maxIdentities: 200_000,
  maxHeads: 10_000,
} as const;

// Proofs are kept as opaque objects here: a malformed proof is a per-item failure of the verify
// report (naming it), not a reason to refuse the whole file.
const proofObjectSchema = z.record(z.string(), z.unknown());

export const bundleItemSchema = z.strictObject({
  proof: proofObjectSchema,
  /** A post's or reply's content; null when purged (or for other types). */
  content: z.unknown().optional(),
  /** The hub purged the content (a legal takedown); the proof still checks. */
  purged: z.boolean().optional(),
  anchor: anchorSchema.nullable(),
});
export type BundleItem = z.infer<typeof bundleItemSchema>;

export const bundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  kind: z.enum(['thread', 'hub']),
  hub: z.string().min(1).max(64),
  /** The thread's root proof id (kind thread), else null. */
  thread: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  /** When the exporting hub wrote it (informational: nothing is checked against it). */
  exported_at: z.iso.datetime(),
  /** Where it came from (informational). */
  source: z.string().max(2048).nullable(),
  items: z.array(bundleItemSchema).max(BUNDLE_LIMITS.maxItems),
  /** identity, key_rotation, delegation and revocation proofs of every issuer and delegating owner. */
  identities: z.array(proofObjectSchema).max(BUNDLE_LIMITS.maxIdentities),
  validators: validatorSetSchema.nullable(),
  heads: z.array(certifiedHeadSchema).max(BUNDLE_LIMITS.maxHeads),
  consistency: z.array(consistencyProofJsonSchema).max(BUNDLE_LIMITS.maxHeads),
});
export type Bundle = z.infer<typeof bundleSchema>;

/** One page of GET /api/v1/bundles: a bundle of part of a hub, and the cursor of the next page. */
export const bundlePageSchema = z.strictObject({
  bundle: bundleSchema,
  next: z.string().max(200).nullable(),
});
export type BundlePage = z.infer<typeof bundlePageSchema>;
