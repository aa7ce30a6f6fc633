// zod schemas of every RPC input. Queries arrive as strings; numbers are parsed strictly (decimal
// digits only, safe integers) so "1e3", " 7" or "0x10" are refused rather than guessed at.
import { z } from 'zod';
import { base64urlToBytes, hexToBytes } from '@/lib/bytes';
import { didKeyToPublicKey, isDidKey } from '@/lib/crypto/did-key';
import type { Leaf } from '../mempool';

export const MAX_LEAVES_PER_REQUEST = 1000;
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_BLOCKS_PER_REQUEST = 100;

const decimal = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,15})$/, 'expected a non-negative decimal integer')
  .transform(Number)
  .refine(Number.isSafeInteger, 'too large');

const hex32 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters').transform((text) => text.toLowerCase());

export const heightParamSchema = decimal;

export const blocksQuerySchema = z.strictObject({
  from: decimal,
  limit: decimal.pipe(z.number().min(1).max(MAX_BLOCKS_PER_REQUEST)).optional(),
});

export const inclusionQuerySchema = z
  .strictObject({
    leaf: hex32.optional(),
    id: hex32.optional(),
    index: decimal.optional(),
    size: decimal.optional(),
  })
  .refine((query) => [query.leaf, query.id, query.index].filter((value) => value !== undefined).length === 1, {
    message: 'give exactly one of leaf (leaf hash), id (proof id) or index',
  });

export const consistencyQuerySchema = z.strictObject({
  from: decimal,
  to: decimal.optional(),
});

export const commitsQuerySchema = z.strictObject({
  from: decimal.optional(),
});

export const syncQuerySchema = z.strictObject({
  from: decimal,
  target: hex32,
});

const publicKeyField = z.union([
  hex32.transform((text) => hexToBytes(text)),
  z
    .string()
    .refine(isDidKey, 'expected 64 hex characters or an Ed25519 did:key')
    .transform((did) => {
      const decoded = didKeyToPublicKey(did);
      return decoded.ok ? decoded.value : new Uint8Array(0);
    }),
]);

const signatureField = z.union([
  z.string().regex(/^[0-9a-fA-F]{128}$/).transform((text) => hexToBytes(text)),
  z
    .string()
    .regex(/^[A-Za-z0-9_-]{86}$/, 'expected a 64-byte signature as base64url (86 chars) or hex (128 chars)')
    .transform((text, ctx) => {
      try {
        return base64urlToBytes(text);
      } catch {
        // Non-canonical trailing bits: the strict decoder refuses them (RFC 4648 §3.5).
        ctx.addIssue({ code: 'custom', message: 'signature is not canonical base64url' });
        return z.NEVER;
      }
    }),
]);

export const leafInputSchema = z.strictObject({
  pub: publicKeyField.refine((key) => key.length === 32, 'not an Ed25519 public key'),
  id: hex32.transform((text) => hexToBytes(text)),
  sig: signatureField.refine((sig) => sig.length === 64, 'signature must be 64 bytes'),
});

export const submitLeavesSchema = z.strictObject({
  leaves: z.array(leafInputSchema).min(1).max(MAX_LEAVES_PER_REQUEST),
});

export type SubmittedLeaf = Leaf;
