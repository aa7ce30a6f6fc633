// The admin socket's protocol: one JSON request line in, one JSON response line out. The socket
// is a unix socket in the data dir with mode 0600, so only the account running the hub can use
// it; it lets `proofhub admin …` act through the running server instead of opening PGlite twice.
import { z } from 'zod';
import { passwordSchema, usernameSchema } from '@/lib/protocol/rest';
import { registerAgentOpSchema } from './register-agent';

export const adminRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('ping') }),
  z.strictObject({ op: z.literal('create-user'), username: usernameSchema, password: passwordSchema, role: z.enum(['user', 'admin']).default('user') }),
  z.strictObject({ op: z.literal('rebuild-views') }),
  registerAgentOpSchema,
  z.strictObject({ op: z.literal('grant-moderator'), username: usernameSchema }),
  z.strictObject({ op: z.literal('revoke-moderator'), username: usernameSchema }),
  z.strictObject({ op: z.literal('purge-content'), proof: z.string().regex(/^[0-9a-f]{64}$/, 'a proof id is 64 lowercase hex characters'), reason: z.string().trim().min(1).max(500) }),
]);

export type AdminRequest = z.input<typeof adminRequestSchema>;

export type AdminResponse = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

/** Requests larger than this are refused (a password and a username fit many times over). */
export const MAX_ADMIN_REQUEST_BYTES = 16 * 1024;
