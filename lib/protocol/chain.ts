// The hub's chain contract (issue 5): what the web API, proof:status / chain:head events and
// bundles carry about the validators' certified log, so the browser, the CLI and another hub can
// re-check a proof's place in the log without trusting the hub that served it.
//
// A light client pins the genesis: chain id bytes = the genesis hash (SHA-256 of the RFC 8785
// canonical genesis file), validator keys in genesis order. An anchor is checked in two steps:
//   1. certificate: verifyCommitCertificate(pinned, header, qc) (lib/consensus) → {height,
//      logSize, logRoot}; it must equal {tree_size, root} below;
//   2. inclusion: the RFC 9162 inclusion proof of the proof's leaf hash
//      (SHA-256(0x00 ‖ id ‖ sig)) at leaf_index in a tree of tree_size leaves leads to root.
// Because the log is append-only and every header names the whole tree, any later certified
// head covers every earlier leaf: `tree_size` is the head the hub used when it built the anchor,
// usually not the block that first carried the leaf (`block_height`).
import { z } from 'zod';
import { blockHeaderJsonSchema, quorumCertJsonSchema } from '../consensus/wire';
import { hashHexSchema, inclusionProofJsonSchema, consistencyProofJsonSchema } from '../merkle/wire';

const counterSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A commit certificate: the committed block's header and the QC whose committed_hash is its hash. */
export const commitCertificateSchema = z.strictObject({
  header: blockHeaderJsonSchema,
  qc: quorumCertJsonSchema,
});
export type CommitCertificateWire = z.infer<typeof commitCertificateSchema>;

/** A certified tree head (GET /api/v1/chain/head, chain:head events, bundles). */
export const certifiedHeadSchema = z.strictObject({
  /** Height of the committed block whose header names this tree head. */
  height: counterSchema,
  block_hash: hashHexSchema,
  tree_size: counterSchema,
  root: hashHexSchema,
  certificate: commitCertificateSchema,
});
export type CertifiedHeadWire = z.infer<typeof certifiedHeadSchema>;

/** A proof's place in the certified log (GET /api/v1/proofs/:id `anchor`, proof:status, bundles). */
export const anchorSchema = z.strictObject({
  /** The committed block that first carried this proof's leaf. */
  block_height: counterSchema,
  /** 0-based position of the leaf in the log. */
  leaf_index: counterSchema,
  /** The certified tree head the inclusion proof leads to. */
  tree_size: counterSchema,
  root: hashHexSchema,
  /** RFC 9162 inclusion proof: index = leaf_index, size = tree_size, root = root. */
  inclusion: inclusionProofJsonSchema,
  /** The certificate of the head {tree_size, root}. */
  certificate: commitCertificateSchema,
});
export type AnchorWire = z.infer<typeof anchorSchema>;

/** One validator of the genesis set. public_key: 32 bytes, lowercase hex. */
export const validatorWireSchema = z.strictObject({
  index: counterSchema,
  public_key: hashHexSchema,
  /** The same key as an Ed25519 did:key, for display. */
  did: z.string().startsWith('did:key:z'),
});

/**
 * The genesis validator set (GET /api/v1/chain/validators, bundles). `genesis` is the genesis
 * file exactly as the validators use it, so a client recomputes genesis_hash from it and checks
 * the validator keys against it rather than trusting this object's other fields.
 */
export const validatorSetSchema = z.strictObject({
  chain_id: z.string().min(1).max(64),
  genesis_hash: hashHexSchema,
  validators: z.array(validatorWireSchema).min(1).max(100),
  genesis: z.record(z.string(), z.unknown()),
});
export type ValidatorSetWire = z.infer<typeof validatorSetSchema>;

/** GET /api/v1/log/consistency?from=&to= */
export const consistencyQuerySchema = z.strictObject({
  from: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  to: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});
export const consistencyResponseSchema = z.strictObject({
  proof: consistencyProofJsonSchema,
  from_root: hashHexSchema,
  to_root: hashHexSchema,
});
export type ConsistencyResponseWire = z.infer<typeof consistencyResponseSchema>;
