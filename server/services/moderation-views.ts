// The moderation view (table moderation_views): each post or reply's hidden state and flags, a
// function of the moderation proofs that target it, replayed in log order. views.ts calls
// applyModerationToViews for every moderation proof, live at ingest and again in rebuildViews, so
// a rebuilt table equals the live one (server/services/views.test.ts compares them).
//
// Whether the issuer was allowed to moderate is decided once, at admission (moderation.ts
// checkModerator): a stored moderation proof counts, whoever's role changes later, so the view
// stays a function of the stored proofs alone.
import type { ItemModeration, ModerationAction } from '@/lib/protocol/moderation';
import type { SignerView } from '@/lib/protocol/views';
import type { SignedProofOf } from '@/lib/proof/schema';
import type { DbOrTx, Tx } from '../db/types';

export interface ModerationRow {
  targetId: string;
  hub: string;
  thread: string | null;
  hidden: boolean;
  hiddenReason: string | null;
  hiddenBy: string | null;
  hiddenProof: string | null;
  flagCount: number;
  lastFlagReason: string | null;
  lastProof: string;
  lastLogIndex: bigint;
}

/** Which item a moderation proof changed, so ingest can broadcast the new state. */
export interface ModerationChange {
  target: string;
  thread: string | null;
  action: ModerationAction;
}

/** Applies one stored moderation proof to moderation_views. Precondition: log order. */
export async function applyModerationToViews(tx: Tx, proof: SignedProofOf<'moderation'>, logIndex: bigint): Promise<ModerationChange> {
  const { target, action, reason } = proof.claim;
  const targetRow = await tx.proof.findUnique({ where: { id: target }, select: { type: true, refRoot: true } });
  const thread = targetRow === null ? null : targetRow.type === 'post' ? target : targetRow.refRoot;
  const last = { lastProof: proof.id, lastLogIndex: logIndex };
  const hide = { hidden: true, hiddenReason: reason, hiddenBy: proof.issuer, hiddenProof: proof.id };
  const shown = { hidden: false, hiddenReason: null, hiddenBy: null, hiddenProof: null };
  const flag = { flagCount: 1, lastFlagReason: reason };
  const base = { targetId: target, hub: proof.hub, thread, ...last };
  switch (action) {
    case 'hide':
      await tx.moderationView.upsert({ where: { targetId: target }, create: { ...base, ...hide }, update: { ...hide, ...last } });
      break;
    case 'unhide':
      await tx.moderationView.upsert({ where: { targetId: target }, create: { ...base, ...shown }, update: { ...shown, ...last } });
      break;
    case 'flag':
      await tx.moderationView.upsert({
        where: { targetId: target },
        create: { ...base, ...flag },
        update: { flagCount: { increment: 1 }, lastFlagReason: reason, ...last },
      });
      break;
  }
  return { target, thread, action };
}

export async function loadModerationRows(db: DbOrTx, ids: readonly string[]): Promise<Map<string, ModerationRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.moderationView.findMany({ where: { targetId: { in: [...ids] } } });
  return new Map(rows.map((row) => [row.targetId, row]));
}

/** The wire form; signers maps the hiding moderator's DID to who they are. */
export function toItemModeration(row: ModerationRow, signers: ReadonlyMap<string, SignerView>): ItemModeration {
  const by = row.hiddenBy;
  return {
    hidden: row.hidden,
    hidden_reason: row.hidden ? row.hiddenReason : null,
    hidden_by: by === null ? null : (signers.get(by) ?? { did: by, username: null, display_name: null }),
    hidden_proof: row.hiddenProof,
    flags: row.flagCount,
    last_flag_reason: row.lastFlagReason,
    last_proof: row.lastProof,
  };
}

export async function countModerationRows(tx: DbOrTx): Promise<number> {
  return tx.moderationView.count();
}

export async function snapshotModerationRows(db: DbOrTx): Promise<unknown[]> {
  return db.moderationView.findMany({ orderBy: { targetId: 'asc' } });
}
