// Moderation (docs/moderation.md): roles, admission of moderation proofs, the public moderation
// log, and the admin's user list. A moderation action is a proof like any other (signed in the
// moderator's browser, stored exactly as received, logged and anchored by the same path); this
// module adds only what is specific to it: who may issue one (a moderator or admin, checked at
// admission), what it may target (a post or reply of a hub the moderator can read), and how the
// log of actions is read. The derived hidden/flag state is in moderation-views.ts.
import type { AdminUserView, ItemModeration, ModerationLogEntry, ModerationLogPage, ModerationLogQuery, ModerationUpdate, Role } from '@/lib/protocol/moderation';
import { canModerate } from '@/lib/protocol/moderation';
import type { SignedProof, SignedProofOf } from '@/lib/proof/schema';
import { checkTargetLink } from '@/lib/proof/thread';
import type { SignerView } from '@/lib/protocol/views';
import type { DbOrTx } from '../db/types';
import { refuse, refuseWith } from '../errors';
import type { ServiceResult } from '../errors';
import { hubAccess } from './hubs';
import { loadModerationRows, moderationAccounts, moderationEffects, toItemModeration } from './moderation-views';
import type { ModerationChange } from './moderation-views';
import { buildProofViews, loadSigners, proofRowSelect } from './read-model';

// ---------------------------------------------------------------------------------------------
// Roles

export async function roleOf(db: DbOrTx, userId: string | null): Promise<Role | null> {
  if (userId === null) return null;
  const user = await db.user.findUnique({ where: { id: userId }, select: { role: true } });
  return user === null ? null : (user.role as Role);
}

/** Admission: only moderators and admins issue moderation proofs. */
export async function checkModerator(db: DbOrTx, userId: string): Promise<ServiceResult<true>> {
  const role = await roleOf(db, userId);
  if (!canModerate(role)) return refuse('forbidden', 'only moderators and admins can hide, unhide or flag items');
  return { ok: true, value: true };
}

export async function requireAdmin(db: DbOrTx, userId: string | null): Promise<ServiceResult<true>> {
  if (userId === null) return refuse('not_signed_in', 'sign in as an admin');
  const role = await roleOf(db, userId);
  if (role === null) return refuse('not_signed_in', 'the session\'s account no longer exists');
  if (role !== 'admin') return refuse('forbidden', 'only an admin can do this');
  return { ok: true, value: true };
}

/**
 * The role of a new self-registered account: admin for the very first account of the hub, user
 * after that. Two sign-ups racing on an empty hub could both see zero accounts; that window is
 * one request wide on a fresh install and both would be the operator's own accounts.
 */
export async function signupRole(db: DbOrTx): Promise<'user' | 'admin'> {
  return (await db.user.count()) === 0 ? 'admin' : 'user';
}

function toAdminUser(row: { id: string; username: string; did: string | null; role: string; createdAt: Date }): AdminUserView {
  return { id: row.id, username: row.username, did: row.did, role: row.role as Role, created_at: row.createdAt.toISOString() };
}

const userSelect = { id: true, username: true, did: true, role: true, createdAt: true } as const;

/** Every account, oldest first (the admin page). */
export async function listUsers(db: DbOrTx): Promise<AdminUserView[]> {
  return (await db.user.findMany({ orderBy: [{ createdAt: 'asc' }, { username: 'asc' }], select: userSelect })).map(toAdminUser);
}

/**
 * Grants (role "moderator") or revokes (role "user") the moderator role. An admin's role is not
 * changed here: there is no way to demote the last admin by accident.
 */
export async function setModeratorRole(db: DbOrTx, username: string, role: 'user' | 'moderator'): Promise<ServiceResult<AdminUserView>> {
  const user = await db.user.findUnique({ where: { username }, select: userSelect });
  if (user === null) return refuse('unknown_user', `there is no user "${username}"`);
  if (user.role === 'admin') return refuse('forbidden', `${username} is an admin; admins keep their role`);
  if (user.role === role) return { ok: true, value: toAdminUser(user) };
  const updated = await db.user.update({ where: { id: user.id }, data: { role }, select: userSelect });
  return { ok: true, value: toAdminUser(updated) };
}

// ---------------------------------------------------------------------------------------------
// Admission of moderation proofs (called by proof-ingest.ts)

/**
 * Bundle import (import.ts): which account a moderation proof is admitted for. The same rule as a
 * live submission (checkModerator, and the hub readable by that account, as submit's checkHub):
 * if an account the proof speaks for on this hub (moderationAccounts) holds the role, the proof
 * is admitted as that account's and takes effect; otherwise it is admitted as the importing
 * admin's and is stored, verifiable, without effect (moderation-views.ts moderationTakesEffect).
 */
export async function importedModerationSubmitter(
  db: DbOrTx,
  proof: SignedProofOf<'moderation'>,
  importerId: string,
): Promise<{ submitter: string; takesEffect: boolean }> {
  for (const account of await moderationAccounts(db, proof)) {
    const moderator = await checkModerator(db, account);
    const access = moderator.ok ? await hubAccess(db, proof.hub, account) : null;
    if (access?.readable === true) return { submitter: account, takesEffect: true };
  }
  return { submitter: importerId, takesEffect: false };
}

/** The target is a post or reply of the proof's hub; answers the target's thread. */
export async function checkModerationTarget(db: DbOrTx, proof: SignedProofOf<'moderation'>): Promise<ServiceResult<{ thread: string | null }>> {
  const row = await db.proof.findUnique({ where: { id: proof.claim.target }, select: { raw: true } });
  const target = row === null ? undefined : (JSON.parse(row.raw) as SignedProof);
  const link = checkTargetLink(proof, target);
  if (!link.ok) return refuseWith(link);
  return { ok: true, value: { thread: target?.type === 'reply' ? target.claim.root : proof.claim.target } };
}

/** The target's state after a stored moderation proof, for proof:new (lib/protocol/moderation.ts). */
export async function moderationUpdate(db: DbOrTx, change: ModerationChange): Promise<ModerationUpdate | null> {
  const moderation = (await loadItemModeration(db, [change.target])).get(change.target);
  return moderation === undefined ? null : { target: change.target, thread: change.thread, moderation };
}

export async function loadItemModeration(db: DbOrTx, ids: readonly string[]): Promise<Map<string, ItemModeration>> {
  const rows = await loadModerationRows(db, ids);
  const hiders = [...rows.values()].flatMap((row) => (row.hiddenBy === null ? [] : [row.hiddenBy]));
  const signers = hiders.length === 0 ? new Map<string, SignerView>() : await loadSigners(db, hiders);
  return new Map([...rows].map(([id, row]) => [id, toItemModeration(row, signers)]));
}

// ---------------------------------------------------------------------------------------------
// The public moderation log

/**
 * Moderation actions newest first, in one hub or in every hub the viewer can read. The cursor is
 * the log index of the previous page's last action (log indexes are unique: pages never overlap).
 */
export async function listModerationLog(db: DbOrTx, userId: string | null, query: ModerationLogQuery): Promise<ServiceResult<ModerationLogPage>> {
  let hubs: string[];
  if (query.hub !== undefined) {
    const access = await hubAccess(db, query.hub, userId);
    if (access === null || !access.readable) return refuse('not_found', `there is no hub "${query.hub}"`);
    hubs = [query.hub];
  } else {
    hubs = (
      await db.hub.findMany({
        where: { OR: [{ visibility: 'public' }, ...(userId === null ? [] : [{ memberships: { some: { userId } } }])] },
        select: { id: true },
      })
    ).map((hub) => hub.id);
  }
  // Only actions that took effect (a moderation proof imported from a signer who is not a
  // moderator here is stored without effect: docs/moderation.md). Read in pages of limit + 1
  // until limit + 1 effective actions are found or the log ends.
  let candidates = await readLogPage(db, hubs, query.cursor === undefined ? undefined : BigInt(query.cursor), query.limit + 1);
  const rows: typeof candidates = [];
  for (;;) {
    const effective = await moderationEffects(db, candidates.map((row) => JSON.parse(row.raw) as SignedProofOf<'moderation'>));
    for (const row of candidates) {
      if (rows.length > query.limit) break;
      if (effective.has(row.id)) rows.push(row);
    }
    const last = candidates[candidates.length - 1];
    if (rows.length > query.limit || candidates.length <= query.limit || last === undefined) break;
    candidates = await readLogPage(db, hubs, last.logIndex, query.limit + 1);
  }
  const page = rows.slice(0, query.limit);
  const views = await buildProofViews(db, page);
  const actions: ModerationLogEntry[] = [];
  for (const row of page) {
    const view = views.get(row.id);
    if (view === undefined) continue;
    const proof = JSON.parse(row.raw) as SignedProofOf<'moderation'>;
    actions.push({
      proof: proof,
      view,
      action: proof.claim.action,
      reason: proof.claim.reason,
      target: proof.claim.target,
      thread: row.refRoot,
      moderator: view.signer,
    });
  }
  const last = page[page.length - 1];
  return { ok: true, value: { actions, next_cursor: rows.length > query.limit && last !== undefined ? last.logIndex.toString() : null } };
}

function readLogPage(db: DbOrTx, hubs: string[], before: bigint | undefined, take: number) {
  return db.proof.findMany({
    where: { type: 'moderation', hub: { in: hubs }, ...(before === undefined ? {} : { logIndex: { lt: before } }) },
    orderBy: { logIndex: 'desc' },
    take,
    select: proofRowSelect,
  });
}
