// The moderation contract shared by the server (server/services/moderation.ts, moderation-routes),
// the browser (components/moderation, app/admin, app/moderation) and the CLI: account roles, the
// moderation state of an item, the public moderation log, and the admin requests. docs/moderation.md
// is the prose version.
import { z } from 'zod';
import type { ModerationAction } from '../proof/schema';
import { hubIdSchema } from './events';
import { usernameSchema } from './rest';
import type { ProofView, SignedProofWire, SignerView } from './views';

export { MODERATION_ACTIONS } from '../proof/schema';
export type { ModerationAction } from '../proof/schema';

/** Account roles: the first account is admin; an admin grants and revokes moderator. */
export const ROLES = ['user', 'moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Moderators and admins may submit moderation proofs (the check runs at admission). */
export function canModerate(role: string | null | undefined): boolean {
  return role === 'moderator' || role === 'admin';
}

/**
 * The moderation state of a post or reply, derived from the moderation proofs that target it in
 * log order (hide sets hidden, unhide clears it, flag counts). Absent when no moderation proof
 * targets the item. The content is still delivered while hidden: the item stays verifiable, the
 * client collapses it.
 */
export interface ItemModeration {
  hidden: boolean;
  /** The reason of the hide in force (null when not hidden). */
  hidden_reason: string | null;
  /** The moderator who hid it, and the hide proof's id (null when not hidden). */
  hidden_by: SignerView | null;
  hidden_proof: string | null;
  /** How many flag proofs target the item, and the latest flag's reason. */
  flags: number;
  last_flag_reason: string | null;
  /** The latest moderation proof on the item. */
  last_proof: string;
}

/**
 * Carried by `proof:new` for a moderation proof (additive field): the target's state after it,
 * so every reader of the thread collapses or expands the item without a reload.
 */
export interface ModerationUpdate {
  target: string;
  thread: string | null;
  moderation: ItemModeration;
}

/** One action of the public moderation log (GET /api/v1/moderation). */
export interface ModerationLogEntry {
  /** The moderation proof as signed: anyone can re-check it (badge, proof panel). */
  proof: SignedProofWire;
  view: ProofView;
  action: ModerationAction;
  reason: string;
  target: string;
  /** The target's thread (null if the target is unknown here). */
  thread: string | null;
  moderator: SignerView;
}

export interface ModerationLogPage {
  actions: ModerationLogEntry[];
  /** Pass as ?cursor= for the next (older) page; null on the last page. */
  next_cursor: string | null;
}

/** GET /api/v1/moderation?hub=&cursor=&limit=: newest first; without hub, every hub you can read. */
export const moderationLogQuerySchema = z.strictObject({
  hub: hubIdSchema.optional(),
  cursor: z.string().regex(/^[0-9]{1,16}$/, 'cursor is the next_cursor of a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type ModerationLogQuery = z.infer<typeof moderationLogQuerySchema>;

/** An account as the admin page lists it (GET /api/v1/admin/users). */
export interface AdminUserView {
  id: string;
  username: string;
  did: string | null;
  role: Role;
  created_at: string;
}

/** PUT /api/v1/admin/users/:username/role: an admin grants or revokes moderator. */
export const setRoleRequestSchema = z.strictObject({ role: z.enum(['user', 'moderator']) });
export type SetRoleRequest = z.infer<typeof setRoleRequestSchema>;

export const adminUsernameSchema = usernameSchema;

/** What the moderation buttons send (the browser builds and signs the proof). */
export interface ModerationRequest {
  readonly target: string;
  readonly action: ModerationAction;
  readonly reason: string;
}

export const MODERATION_ACTION_LABELS: Record<ModerationAction, string> = { hide: 'Hide', unhide: 'Unhide', flag: 'Flag' };
