// Request bodies and query strings of the REST API (/api/v1, docs/api.md). The server validates
// with these schemas; the browser may use them to check a form before sending.
import { z } from 'zod';
import { hubIdSchema } from './events';

/** Usernames are case-insensitive: stored and compared in lower case. */
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_]{3,32}$/, 'a username is 3-32 characters of a-z, 0-9 and "_"');

/** Long passphrases welcome; the upper bound only keeps argon2 input sane. */
export const passwordSchema = z.string().min(8, 'a password has at least 8 characters').max(256, 'a password has at most 256 characters');

const proofObjectSchema = z.record(z.string(), z.unknown());

/** POST /api/v1/auth/signup: identity is the signed identity proof (hub "public", seq 1). */
export const signupRequestSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  identity: proofObjectSchema,
});
export type SignupRequest = z.infer<typeof signupRequestSchema>;

/** POST /api/v1/identities/bind: a signed identity proof for an account that has no DID yet. */
export const bindIdentityRequestSchema = z.strictObject({ identity: proofObjectSchema });

/** POST /api/v1/proofs. */
export const submitProofRequestSchema = z.strictObject({
  proof: proofObjectSchema,
  content: proofObjectSchema.optional(),
});

/** POST /api/v1/hubs. */
export const createHubRequestSchema = z.strictObject({
  id: hubIdSchema,
  name: z.string().trim().min(1, 'a hub needs a name').max(80, 'a hub name has at most 80 characters'),
  visibility: z.enum(['public', 'private']).default('public'),
});
export type CreateHubRequest = z.infer<typeof createHubRequestSchema>;

/** POST /api/v1/hubs/:hub/members. */
export const addMemberRequestSchema = z.strictObject({ username: usernameSchema });

/** GET /api/v1/hubs/:hub/threads?cursor=&limit=. The cursor is opaque: pass back next_cursor. */
export const threadsQuerySchema = z.strictObject({
  cursor: z.string().regex(/^[0-9]{1,16}$/, 'cursor is the next_cursor of a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
