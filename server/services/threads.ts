// Reading: a hub's threads by latest activity, one thread with its replies, one proof. Private
// hubs' content is answered as not_found to non-members, so ids do not leak what exists.
import type { ItemView, ThreadDetail, ThreadPage, ThreadSummary } from '@/lib/protocol/views';
import type { LogMirror } from '../chain/log-mirror';
import type { DbOrTx } from '../db/types';
import { refuse } from '../errors';
import { currentStatusIndex } from '../realtime/catch-up';
import type { ServiceResult } from '../errors';
import { hubAccess } from './hubs';
import { buildItems, proofRowSelect } from './read-model';
import { attachAnchors } from './view-anchors';

export interface Viewer {
  userId: string | null;
  did: string | null;
}

export const ANONYMOUS: Viewer = { userId: null, did: null };

type ThreadRow = { rootId: string; hub: string; createdAt: Date; lastActivityAt: Date; lastLogIndex: bigint; replyCount: number };

function summaryOf(row: ThreadRow, root: ItemView): ThreadSummary {
  return {
    id: row.rootId,
    hub: row.hub,
    title: typeof root.content?.title === 'string' ? root.content.title : null,
    created_at: row.createdAt.toISOString(),
    last_activity_at: row.lastActivityAt.toISOString(),
    last_log_index: Number(row.lastLogIndex),
    reply_count: row.replyCount,
    root,
  };
}

/**
 * Threads of a hub, newest activity first. The cursor is the last_log_index of the previous
 * page's last thread: log indexes are unique, so the order is total and pages never overlap.
 */
export async function listThreads(db: DbOrTx, hubId: string, viewer: Viewer, page: { cursor?: string; limit: number }): Promise<ServiceResult<ThreadPage>> {
  const access = await hubAccess(db, hubId, viewer.userId);
  if (access === null || !access.readable) return refuse('not_found', `there is no hub "${hubId}"`);
  // Read before the rows: a status change the rows miss has a larger index (catch-up.ts).
  const statusIndex = await currentStatusIndex(db);
  const rows = await db.threadView.findMany({
    where: { hub: hubId, ...(page.cursor === undefined ? {} : { lastLogIndex: { lt: BigInt(page.cursor) } }) },
    orderBy: { lastLogIndex: 'desc' },
    take: page.limit + 1,
  });
  const pageRows = rows.slice(0, page.limit);
  const proofRows = await db.proof.findMany({ where: { id: { in: pageRows.map((row) => row.rootId) } }, select: proofRowSelect });
  const byId = new Map(proofRows.map((row) => [row.id, row]));
  const ordered = pageRows.map((row) => byId.get(row.rootId)).filter((row) => row !== undefined);
  const items = new Map((await buildItems(db, ordered, viewer.did)).map((item) => [item.proof.id, item]));
  const threads: ThreadSummary[] = [];
  for (const row of pageRows) {
    const root = items.get(row.rootId);
    if (root !== undefined) threads.push(summaryOf(row, root));
  }
  const last = pageRows[pageRows.length - 1];
  return { ok: true, value: { threads, next_cursor: rows.length > page.limit && last !== undefined ? last.lastLogIndex.toString() : null, status_index: statusIndex } };
}

/** mirror: the hub's log mirror, to anchor every item to the newest certified head (view-anchors.ts). */
export async function getThread(db: DbOrTx, rootId: string, viewer: Viewer, mirror: LogMirror | null = null): Promise<ServiceResult<ThreadDetail>> {
  const thread = await db.threadView.findUnique({ where: { rootId } });
  if (thread === null) return refuse('not_found', `there is no thread ${rootId}`);
  const access = await hubAccess(db, thread.hub, viewer.userId);
  if (access === null || !access.readable) return refuse('not_found', `there is no thread ${rootId}`);
  const statusIndex = await currentStatusIndex(db);
  const replyIds = await db.replyView.findMany({ where: { rootId }, orderBy: { logIndex: 'asc' }, select: { id: true } });
  const rows = await db.proof.findMany({ where: { id: { in: [rootId, ...replyIds.map((reply) => reply.id)] } }, select: proofRowSelect, orderBy: { logIndex: 'asc' } });
  const items = await buildItems(db, rows, viewer.did);
  await attachAnchors(db, items, mirror);
  const [root, ...replies] = items;
  if (root === undefined || root.proof.id !== rootId) throw new Error(`thread ${rootId} has no root proof`);
  const { root: _root, ...summary } = summaryOf(thread, root);
  return { ok: true, value: { thread: summary, root, replies, status_index: statusIndex } };
}

export async function getProof(db: DbOrTx, id: string, viewer: Viewer): Promise<ServiceResult<ItemView>> {
  const row = await db.proof.findUnique({ where: { id }, select: proofRowSelect });
  if (row === null) return refuse('not_found', `there is no proof ${id}`);
  const access = await hubAccess(db, row.hub, viewer.userId);
  if (access === null || !access.readable) return refuse('not_found', `there is no proof ${id}`);
  const [item] = await buildItems(db, [row], viewer.did);
  if (item === undefined) throw new Error(`no item for ${id}`);
  return { ok: true, value: item };
}
