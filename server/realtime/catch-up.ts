// Reconnect catch-up (docs/operations.md, "Reconnect catch-up"; docs/api.md, Socket.IO). A
// client that drops keeps two cursors: `since`, the highest proof log index it received, and
// `status_since`, the highest status index (proof_status_log, 0005_status_log). On subscribe the
// server joins the room first, then replays from both cursors, so everything committed before the
// replay's reads is replayed and everything after reaches the room live: together, each proof and
// each status change once (the client drops what it already has: a proof id, an (id, status)).
// Both indexes are committed in their own order (the ingest's log-order lock, the status log's
// trigger lock), so a cursor never passes a change that commits later.
import type { ProofNewEvent, ProofStatus, ProofStatusEvent } from '@/lib/protocol/events';
import { loadFirstAnchors } from '../chain/anchors';
import type { Db, DbOrTx } from '../db/types';
import { buildProofViews, contentOf, proofRowSelect } from '../services/read-model';

/** Missed proofs, and missed status changes, replayed per subscribe; beyond this see below. */
export const MAX_REPLAY = 500;

/** One room's rows: a hub's proofs, or a thread's (its root and everything naming it). */
export type CatchUpScope = { hub: string } | { thread: string };

export interface CatchUpEmitter {
  proofNew(event: ProofNewEvent): void;
  proofStatus(event: ProofStatusEvent): void;
}

export interface CatchUpResult {
  /** proof:new events replayed (at most MAX_REPLAY: then the client reloads over REST). */
  replayed: number;
  /** proof:status events replayed. */
  statusReplayed: number;
  /**
   * The client's next `status_since`: the highest status index this catch-up covers. Changes
   * above it reach the room live. When statusReplayed is MAX_REPLAY it is the last one replayed,
   * and the client subscribes again to get the rest.
   */
  statusIndex: number;
}

/**
 * Replays a room after the socket joined it: proofs with log_index > since (their view carries
 * the current status), then status changes in (statusSince, M] of the proofs the client already
 * had (log_index ≤ since), in status order, M read first: a change at or below M committed before
 * M was read, so the reads after see it; a change above M commits later and is broadcast to the
 * room, which the socket is in.
 */
export async function replayRoom(db: Db, scope: CatchUpScope, cursors: { since?: number | undefined; statusSince?: number | undefined }, emit: CatchUpEmitter): Promise<CatchUpResult> {
  const latestStatus = BigInt(await currentStatusIndex(db));
  const roomProofs = 'hub' in scope ? { hub: scope.hub } : { OR: [{ id: scope.thread }, { refRoot: scope.thread }] };

  let replayed = 0;
  if (cursors.since !== undefined) {
    const rows = await db.proof.findMany({ where: { ...roomProofs, logIndex: { gt: BigInt(cursors.since) } }, orderBy: { logIndex: 'asc' }, take: MAX_REPLAY, select: proofRowSelect });
    const views = await buildProofViews(db, rows);
    for (const row of rows) {
      const view = views.get(row.id);
      if (view === undefined) continue;
      emit.proofNew({ proof: JSON.parse(row.raw) as ProofNewEvent['proof'], content: contentOf(row), view });
      replayed++;
    }
  }

  let statusReplayed = 0;
  let statusIndex = latestStatus;
  if (cursors.statusSince !== undefined && BigInt(cursors.statusSince) < latestStatus) {
    const changes = await loadStatusChanges(db, scope, BigInt(cursors.statusSince), latestStatus, cursors.since);
    const anchors = await loadFirstAnchors(db, changes.filter((change) => change.status === 'verified').map((change) => change.proofId));
    for (const change of changes) {
      const anchor = change.status === 'verified' ? anchors.anchors.get(change.proofId) : undefined;
      emit.proofStatus({ id: change.proofId, hub: change.hub, status: change.status as ProofStatus, status_index: Number(change.statusIndex), ...(anchor === undefined ? {} : { anchor }) });
      statusReplayed++;
    }
    if (changes.length === MAX_REPLAY) statusIndex = changes[changes.length - 1]?.statusIndex ?? latestStatus;
  }
  return { replayed, statusReplayed, statusIndex: Number(statusIndex) };
}

/**
 * The highest status index committed so far. A REST answer reads it before its rows and hands it
 * out as `status_index`: a status change its rows do not show has a larger index, so a subscribe
 * with `status_since` = it replays that change.
 */
export async function currentStatusIndex(db: DbOrTx): Promise<number> {
  const top = await db.proofStatusLog.aggregate({ _max: { statusIndex: true } });
  return Number(top._max.statusIndex ?? 0n);
}

/**
 * The highest proof log index and status index committed so far, in one statement (one snapshot):
 * what a subscribe with nothing to replay answers as the client's cursors.
 */
export async function latestIndexes(db: DbOrTx): Promise<{ logIndex: number; statusIndex: number }> {
  const rows = await db.$queryRaw<{ logIndex: bigint | null; statusIndex: bigint | null }[]>`
    SELECT (SELECT max(log_index) FROM proofs) AS "logIndex", (SELECT max(status_index) FROM proof_status_log) AS "statusIndex"`;
  return { logIndex: Number(rows[0]?.logIndex ?? 0n), statusIndex: Number(rows[0]?.statusIndex ?? 0n) };
}

interface StatusChangeRow {
  statusIndex: bigint;
  proofId: string;
  hub: string;
  status: string;
}

/** Status changes of the room in (after, upTo], in order; with `since`, only of proofs ≤ since. */
async function loadStatusChanges(db: DbOrTx, scope: CatchUpScope, after: bigint, upTo: bigint, since: number | undefined): Promise<StatusChangeRow[]> {
  const room = 'hub' in scope ? 's.hub = $1' : 's.thread = $1';
  const known = since === undefined ? '' : 'AND p.log_index <= $4';
  const params: unknown[] = ['hub' in scope ? scope.hub : scope.thread, after, upTo, ...(since === undefined ? [] : [BigInt(since)])];
  return db.$queryRawUnsafe<StatusChangeRow[]>(
    `SELECT s.status_index AS "statusIndex", s.proof_id AS "proofId", s.hub, s.status
       FROM proof_status_log s JOIN proofs p ON p.id = s.proof_id
      WHERE ${room} AND s.status_index > $2 AND s.status_index <= $3 ${known}
      ORDER BY s.status_index
      LIMIT ${MAX_REPLAY}`,
    ...params,
  );
}

/**
 * The status index of each live proof:status event, so a connected client's `status_since`
 * moves with what it receives. The event was emitted after its change committed, so the row is
 * there; an event without one (a change older than 0005) goes out as it came.
 */
export async function stampStatusEvents(db: DbOrTx, events: readonly ProofStatusEvent[]): Promise<ProofStatusEvent[]> {
  if (events.length === 0) return [];
  const rows = await db.proofStatusLog.groupBy({
    by: ['proofId', 'status'],
    where: { proofId: { in: [...new Set(events.map((event) => event.id))] } },
    _max: { statusIndex: true },
  });
  const index = new Map(rows.map((row) => [`${row.proofId} ${row.status}`, row._max.statusIndex]));
  return events.map((event) => {
    const found = index.get(`${event.id} ${event.status}`);
    return found === undefined || found === null ? event : { ...event, status_index: Number(found) };
  });
}
