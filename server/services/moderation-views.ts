// The moderation view (table moderation_views): each post or reply's hidden state and flags, a
// function of the moderation proofs that target it, replayed in log order. views.ts calls
// applyModerationToViews for every moderation proof, live at ingest and again in rebuildViews, so
// a rebuilt table equals the live one (server/services/views.test.ts compares them).
//
// Whether the issuer was allowed to moderate is decided once, at admission (moderation.ts
// checkModerator), and recorded in the proof row's submitted_by: a moderation proof takes effect
// only when it was submitted by an account it speaks for (moderationAccounts), which every path
// that stores one with such a submitter has checked with checkModerator. A live submission is
// always by the signer's own account (or the registered agent's owner) after that check; an
// import is attributed to the signer's account only when that account passes the same check here,
// and to the importing admin otherwise: then the proof is stored, verifiable, with no effect
// (docs/moderation.md, "Imported moderation proofs"). A stored moderation proof keeps its effect
// whoever's role changes later, so the view stays a function of stored rows that never change.
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

/**
 * The accounts of this hub a moderation proof speaks for: the account bound to its issuer, the one
 * bound to its `on_behalf_of` owner, and the owner of the registered agent that signed it. Bound
 * DIDs never change (users.did is set once), so the answer for a stored proof is stable.
 */
export async function moderationAccounts(db: DbOrTx, proof: SignedProofOf<'moderation'>): Promise<string[]> {
  return (await accountsOfMany(db, [proof])).get(proof.id) ?? [];
}

/** moderationAccounts of several proofs in two queries, by proof id. */
async function accountsOfMany(db: DbOrTx, proofs: readonly SignedProofOf<'moderation'>[]): Promise<Map<string, string[]>> {
  const dids = [...new Set(proofs.flatMap((proof) => (proof.claim.on_behalf_of === undefined ? [proof.issuer] : [proof.issuer, proof.claim.on_behalf_of])))];
  const users = await db.user.findMany({ where: { did: { in: dids } }, select: { id: true, did: true } });
  const agents = await db.agent.findMany({ where: { did: { in: [...new Set(proofs.map((proof) => proof.issuer))] } }, select: { did: true, ownerId: true } });
  const userOf = new Map(users.map((user) => [user.did, user.id]));
  const ownerOf = new Map(agents.map((agent) => [agent.did, agent.ownerId]));
  return new Map(
    proofs.map((proof) => {
      const accounts = [userOf.get(proof.issuer), proof.claim.on_behalf_of === undefined ? undefined : userOf.get(proof.claim.on_behalf_of), ownerOf.get(proof.issuer)];
      return [proof.id, [...new Set(accounts.filter((id): id is string => id !== undefined))]];
    }),
  );
}

/**
 * Which stored moderation proofs take effect: those whose submitter (proofs.submitted_by) is an
 * account they speak for. Three queries however many proofs.
 */
export async function moderationEffects(db: DbOrTx, proofs: readonly SignedProofOf<'moderation'>[]): Promise<Set<string>> {
  if (proofs.length === 0) return new Set();
  const rows = await db.proof.findMany({ where: { id: { in: proofs.map((proof) => proof.id) } }, select: { id: true, submittedBy: true } });
  const submitter = new Map(rows.map((row) => [row.id, row.submittedBy]));
  const accounts = await accountsOfMany(db, proofs);
  return new Set(
    proofs.filter((proof) => {
      const by = submitter.get(proof.id);
      return by != null && (accounts.get(proof.id) ?? []).includes(by);
    }).map((proof) => proof.id),
  );
}

/** Whether one stored moderation proof takes effect (moderationEffects). */
export async function moderationTakesEffect(db: DbOrTx, proof: SignedProofOf<'moderation'>): Promise<boolean> {
  return (await moderationEffects(db, [proof])).has(proof.id);
}

/**
 * Applies one stored moderation proof to moderation_views. Precondition: log order, and the proof's
 * row is stored (inside the ingest transaction, or replayed by rebuildViews). A proof without
 * effect (moderationTakesEffect) leaves the table as it was; the change is still answered, so the
 * broadcast carries the target's unchanged state.
 */
export async function applyModerationToViews(tx: Tx, proof: SignedProofOf<'moderation'>, logIndex: bigint): Promise<ModerationChange> {
  const { target, action, reason } = proof.claim;
  const targetRow = await tx.proof.findUnique({ where: { id: target }, select: { type: true, refRoot: true } });
  const thread = targetRow === null ? null : targetRow.type === 'post' ? target : targetRow.refRoot;
  if (!(await moderationTakesEffect(tx, proof))) return { target, thread, action };
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
