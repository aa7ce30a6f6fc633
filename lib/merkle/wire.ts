// JSON forms of Merkle proofs and frontiers (lowercase hex hashes), with the zod schemas every
// entry point (CLI, REST, validator links, bundles) parses them with. Decoding never throws.
import { z } from 'zod';
import { bytesToHex, hexToBytes } from '../bytes';
import { fail, ok, type Result } from '../errors';
import type { ConsistencyProof, InclusionProof, MerkleErrorCode } from './types';

/** A tree of at most 2^53 leaves is at most 53 levels deep; one more for a prepended root. */
export const MAX_PATH_LENGTH = 64;

export const hashHexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
const treeSizeSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const pathSchema = z.array(hashHexSchema).max(MAX_PATH_LENGTH);

/** `{"index","size","root","path":[hex…]}`: an inclusion proof with the root it leads to. */
export const inclusionProofJsonSchema = z.strictObject({
  index: treeSizeSchema,
  size: treeSizeSchema,
  root: hashHexSchema,
  path: pathSchema,
});
export type InclusionProofJson = z.infer<typeof inclusionProofJsonSchema>;

/** `{"from","to","path":[hex…]}`; the roots travel in the tree heads being compared. */
export const consistencyProofJsonSchema = z.strictObject({
  from: treeSizeSchema,
  to: treeSizeSchema,
  path: pathSchema,
});
export type ConsistencyProofJson = z.infer<typeof consistencyProofJsonSchema>;

/** `{"size","hashes":[hex…]}`: a MerkleFrontier, subtree roots largest first. */
export const frontierJsonSchema = z.strictObject({
  size: treeSizeSchema,
  hashes: pathSchema,
});
export type FrontierJson = z.infer<typeof frontierJsonSchema>;

export function inclusionProofToJson(proof: InclusionProof, root: Uint8Array): InclusionProofJson {
  return { index: proof.index, size: proof.size, root: bytesToHex(root), path: proof.path.map(bytesToHex) };
}

export function inclusionProofFromJson(json: unknown): Result<InclusionProof & { readonly root: Uint8Array }, MerkleErrorCode> {
  const parsed = inclusionProofJsonSchema.safeParse(json);
  if (!parsed.success) return fail('malformed', `not an inclusion proof: ${describe(parsed.error)}`);
  const { index, size, root, path } = parsed.data;
  return ok({ index, size, root: hexToBytes(root), path: path.map(hexToBytes) });
}

export function consistencyProofToJson(proof: ConsistencyProof): ConsistencyProofJson {
  return { from: proof.from, to: proof.to, path: proof.path.map(bytesToHex) };
}

export function consistencyProofFromJson(json: unknown): Result<ConsistencyProof, MerkleErrorCode> {
  const parsed = consistencyProofJsonSchema.safeParse(json);
  if (!parsed.success) return fail('malformed', `not a consistency proof: ${describe(parsed.error)}`);
  const { from, to, path } = parsed.data;
  return ok({ from, to, path: path.map(hexToBytes) });
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}
