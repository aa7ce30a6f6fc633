// Derived views: threads with their last activity, the reply tree, reaction counts, each issuer's
// reaction state, and identity heads. They are a function of the stored proofs alone (in log
// order): ingest applies each new proof with applyProofToViews inside the proof's transaction, and
// rebuildViews empties the tables and replays every proof through the same function, so the two
// cannot drift apart (a test compares them).
import type { SignedProof } from '@/lib/proof/schema';
import type { ReactionCountEvent } from '@/lib/protocol/events';
import type { ReactionCounts, SignerView } from '@/lib/protocol/views';
import { REACTION_KINDS } from '@/lib/protocol/views';
import type { Db, Tx } from '../db/types';
import { Prisma } from '../generated/prisma/client';
import { signerFromRow } from './read-model';
import type { SignerColumns } from './read-model';
import { applyModerationToViews, countModerationRows, snapshotModerationRows } from './moderation-views';
import type { ModerationChange } from './moderation-views';

export interface StoredProof {
  proof: SignedProof;
  logIndex: bigint;
  receivedAt: Date;
}

export interface ViewChange {
  /** Set when a reaction changed its target's counts (or the reacting issuer's state). */
  reaction: Omit<ReactionCountEvent, 'hub'> | null;
  /** Set when a moderation proof changed its target's hidden state or flags. */
  moderation?: ModerationChange;
  /** A reply's depth in its thread (1 under the post), as stored in reply_views. */
  depth?: number;
  /**
   * A post's or reply's signer, read in the same statement as its views (loadSigner's join): the
   * broadcast needs no round trip after commit. The proof itself cannot change its signer's name
   * (only an identity proof does), and the issuer's earlier proofs are committed (chain check).
   */
  signer?: SignerView;
}

const VIEW_TABLES = ['thread_views', 'reply_views', 'reaction_counts', 'reaction_states', 'identity_views', 'moderation_views'] as const;

export function emptyCounts(): ReactionCounts {
  return { like: 0, verified: 0, disputed: 0 };
}

/** Applies one stored proof to every view. Precondition: proofs arrive in log order. */
export async function applyProofToViews(tx: Tx, stored: StoredProof): Promise<ViewChange> {
  const { proof } = stored;
  if (proof.type === 'post' || proof.type === 'reply') return applyToThreadAndHead(tx, { ...stored, proof });
  if (proof.type === 'reaction') return { reaction: await applyReaction(tx, proof) };
  await applyToIdentity(tx, proof);
  return applyToThreads(tx, stored);
}

/**
 * A post or a reply: the issuer's head moves and the thread rows change in ONE statement
 * (data-modifying CTEs, each run exactly once): the ingest runs this under the log-order lock,
 * where every round trip to PostgreSQL holds up every other writer (issue 7; was 2 statements for
 * a post and 4 for a reply). Rows written are the same as applying the identity head, then the
 * thread rows, one statement each; a reply's depth is its parent reply's + 1 (1 under the post).
 * The ingest folds the same CTEs into the proof's insert (threadAndHeadViews), so a rebuild and a
 * live ingest write their rows with one piece of SQL.
 */
async function applyToThreadAndHead(tx: Tx, stored: StoredProof & { proof: PostOrReply }): Promise<ViewChange> {
  const views = threadAndHeadViews(stored.proof, 'src');
  const rows = await tx.$queryRaw<ThreadAndHeadRow[]>`
    WITH src AS (SELECT ${stored.logIndex}::bigint AS log_index, ${stored.receivedAt}::timestamptz AS received_at),
    ${views.ctes}
    SELECT ${views.columns} FROM src ${views.joins}`;
  return threadAndHeadChange(stored.proof, rows[0]);
}

export type PostOrReply = Extract<SignedProof, { type: 'post' | 'reply' }>;

/** What the statement of threadAndHeadViews returns (its `columns`). */
export interface ThreadAndHeadRow extends SignerColumns {
  heads: number;
  threads: number;
  depth: number | null;
}

/**
 * The view writes of a post or a reply as CTEs of a larger statement, given a relation `source`
 * (one row, columns log_index and received_at): nothing is written unless it has its row. `ctes`
 * go after the statement's other CTEs, `columns` into its SELECT, `joins` after `FROM source`
 * (the signer: loadSigner's join). The signer and a reply's parent are read in the statement's
 * snapshot: both were committed before the proof was submitted (the issuer's earlier proofs are
 * acknowledged before its next is signed; a parent is known to its replier), so a snapshot taken
 * before the log-order lock still sees them. The counters that other writers move (the thread's
 * reply count) are UPDATEs, which act on the newest committed row version (READ COMMITTED).
 */
export function threadAndHeadViews(proof: PostOrReply, source: 'src' | 'stored'): { ctes: Prisma.Sql; columns: Prisma.Sql; joins: Prisma.Sql } {
  const src = Prisma.raw(source);
  const head = Prisma.sql`head AS (UPDATE identity_views SET head_seq = ${proof.seq}::int, head_id = ${proof.id} WHERE did = ${proof.issuer} AND EXISTS (SELECT 1 FROM ${src}) RETURNING did)`;
  const joins = Prisma.sql`
    LEFT JOIN users u ON u.did = ${proof.issuer}
    LEFT JOIN identity_views iv ON iv.did = ${proof.issuer}
    LEFT JOIN agents a ON a.did = ${proof.issuer}
    LEFT JOIN users o ON o.id = a.owner_id`;
  const signer = Prisma.sql`u.username, iv.display_name, a.id AS agent_id, o.username AS agent_owner`;
  if (proof.type === 'post') {
    return {
      ctes: Prisma.sql`${head},
      thread AS (
        INSERT INTO thread_views (root_id, hub, issuer, created_at, root_log_index, last_log_index, last_activity_at)
        SELECT ${proof.id}, ${proof.hub}, ${proof.issuer}, ${new Date(proof.created_at)}::timestamptz, log_index, log_index, received_at FROM ${src}
        RETURNING root_id
      )`,
      columns: Prisma.sql`(SELECT count(*) FROM head)::int AS heads, (SELECT count(*) FROM thread)::int AS threads, NULL::int AS depth, ${signer}`,
      joins,
    };
  }
  return {
    ctes: Prisma.sql`${head},
    reply AS (
      INSERT INTO reply_views (id, root_id, parent_id, depth, hub, log_index)
      SELECT ${proof.id}, ${proof.claim.root}, ${proof.claim.parent}, COALESCE((SELECT depth FROM reply_views WHERE id = ${proof.claim.parent}), 0) + 1, ${proof.hub}, log_index FROM ${src}
      RETURNING depth
    ),
    thread AS (
      UPDATE thread_views SET reply_count = reply_count + 1, last_log_index = s.log_index, last_activity_at = s.received_at
      FROM ${src} s WHERE root_id = ${proof.claim.root} RETURNING root_id
    )`,
    columns: Prisma.sql`(SELECT count(*) FROM head)::int AS heads, (SELECT count(*) FROM thread)::int AS threads, (SELECT depth FROM reply) AS depth, ${signer}`,
    joins,
  };
}

/** The ViewChange of threadAndHeadViews' row; throws when a view row it needs was missing. */
export function threadAndHeadChange(proof: PostOrReply, row: ThreadAndHeadRow | undefined): ViewChange {
  if (row?.heads !== 1) throw new Error(`identity view of ${proof.issuer} missing before seq ${proof.seq}`);
  if (proof.type === 'post') return { reaction: null, signer: signerFromRow(proof.issuer, row) };
  if (row.threads !== 1) throw new Error(`thread view of ${proof.claim.root} missing for reply ${proof.id}`);
  if (row.depth === null) throw new Error(`reply view of ${proof.id} was not written`);
  return { reaction: null, depth: row.depth, signer: signerFromRow(proof.issuer, row) };
}

async function applyToThreads(tx: Tx, stored: StoredProof): Promise<ViewChange> {
  const { proof, logIndex } = stored;
  switch (proof.type) {
    case 'moderation':
      return { reaction: null, moderation: await applyModerationToViews(tx, proof, logIndex) };
    default:
      return { reaction: null };
  }
}

async function applyToIdentity(tx: Tx, proof: SignedProof): Promise<void> {
  // Mirrors lib/proof/identity.ts applyIdentityProof for the parts a client displays: the head,
  // the display name and the key history.
  if (proof.type === 'identity' && proof.seq === 1) {
    await tx.identityView.create({
      data: { did: proof.issuer, displayName: proof.claim.name, headSeq: proof.seq, headId: proof.id, keys: [{ key: proof.issuer, from_seq: 1, proof: proof.id }] },
    });
    return;
  }
  if (proof.type !== 'key_rotation') {
    // Only the head moves (and an identity proof's name): one statement, no read first.
    const name: string | undefined = proof.type === 'identity' ? proof.claim.name : undefined;
    const updated =
      name === undefined
        ? await tx.$executeRaw`UPDATE identity_views SET head_seq = ${proof.seq}, head_id = ${proof.id} WHERE did = ${proof.issuer}`
        : await tx.$executeRaw`UPDATE identity_views SET head_seq = ${proof.seq}, head_id = ${proof.id}, display_name = ${name} WHERE did = ${proof.issuer}`;
    if (updated !== 1) throw new Error(`identity view of ${proof.issuer} missing before seq ${proof.seq}`);
    return;
  }
  const current = await tx.identityView.findUnique({ where: { did: proof.issuer } });
  if (current === null) throw new Error(`identity view of ${proof.issuer} missing before seq ${proof.seq}`);
  const data: { headSeq: number; headId: string; keys?: { key: string; from_seq: number; proof: string }[] } = {
    headSeq: proof.seq,
    headId: proof.id,
  };
  const keys = current.keys as { key: string; from_seq: number; proof: string }[];
  if (keys[keys.length - 1]?.key !== proof.claim.next_key) {
    data.keys = [...keys, { key: proof.claim.next_key, from_seq: proof.seq + 1, proof: proof.id }];
  }
  await tx.identityView.update({ where: { did: proof.issuer }, data });
}

/**
 * A reaction in ONE statement (it runs under the ingest's log-order lock): the issuer's head
 * moves, the issuer's state for (target, kind) is upserted, and the target's count moves by the
 * change of that state (+1 when it becomes active, −1 when an active one is undone, 0 otherwise;
 * a first row is created at max(delta, 0)). The statement also returns the target's thread and
 * its counts as they were before it: a data-modifying CTE's rows are not visible to the rest of
 * its statement, so the new counts are those plus the delta. Same rows as the step-by-step
 * version (read the state, upsert it, upsert the count, read thread and counts): 6 statements → 1.
 */
async function applyReaction(tx: Tx, proof: Extract<SignedProof, { type: 'reaction' }>): Promise<Omit<ReactionCountEvent, 'hub'>> {
  const { target, kind } = proof.claim;
  const active = proof.claim.undo !== true;
  const rows = await tx.$queryRaw<{ heads: number; delta: number; thread: string | null; before: { kind: string; count: number }[] | null }[]>`
    WITH head AS (UPDATE identity_views SET head_seq = ${proof.seq}::int, head_id = ${proof.id} WHERE did = ${proof.issuer} RETURNING did),
    delta AS (
      SELECT CASE WHEN COALESCE((SELECT active FROM reaction_states WHERE target_id = ${target} AND issuer = ${proof.issuer} AND kind = ${kind}), false) = ${active}::boolean THEN 0
                  WHEN ${active}::boolean THEN 1 ELSE -1 END AS d
    ),
    state AS (
      INSERT INTO reaction_states (target_id, issuer, kind, active, proof_id) VALUES (${target}, ${proof.issuer}, ${kind}, ${active}::boolean, ${proof.id})
      ON CONFLICT (target_id, issuer, kind) DO UPDATE SET active = EXCLUDED.active, proof_id = EXCLUDED.proof_id
      RETURNING 1
    ),
    counted AS (
      INSERT INTO reaction_counts (target_id, kind, count) SELECT ${target}, ${kind}, GREATEST(d, 0) FROM delta WHERE d <> 0
      ON CONFLICT (target_id, kind) DO UPDATE SET count = reaction_counts.count + (SELECT d FROM delta)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM head)::int AS heads, (SELECT d FROM delta)::int AS delta,
      (SELECT CASE WHEN type = 'post' THEN id ELSE ref_root END FROM proofs WHERE id = ${target}) AS thread,
      (SELECT json_agg(json_build_object('kind', kind, 'count', count)) FROM reaction_counts WHERE target_id = ${target}) AS before`;
  const row = rows[0];
  if (row?.heads !== 1) throw new Error(`identity view of ${proof.issuer} missing before seq ${proof.seq}`);
  const counts = emptyCounts();
  const before = row.before ?? [];
  for (const { kind: k, count } of before) if ((REACTION_KINDS as readonly string[]).includes(k)) counts[k as keyof ReactionCounts] = count;
  if (row.delta !== 0) counts[kind] = before.some((entry) => entry.kind === kind) ? counts[kind] + row.delta : Math.max(row.delta, 0);
  return {
    thread: row.thread,
    target,
    counts,
    by: { issuer: proof.issuer, kind, active, proof: proof.id },
  };
}

export async function countsOf(tx: Tx | Db, target: string): Promise<ReactionCounts> {
  const rows = await tx.reactionCount.findMany({ where: { targetId: target } });
  const counts = emptyCounts();
  for (const row of rows) if ((REACTION_KINDS as readonly string[]).includes(row.kind)) counts[row.kind as keyof ReactionCounts] = row.count;
  return counts;
}

export interface RebuildReport {
  proofs: number;
  rows: Record<(typeof VIEW_TABLES)[number], number>;
}

const REBUILD_BATCH = 500;

/**
 * Empties every view table and replays all proofs in log order, in one transaction: readers see
 * the old views until the new ones are complete.
 */
export async function rebuildViews(db: Db): Promise<RebuildReport> {
  return db.$transaction(
    async (tx) => {
      for (const table of VIEW_TABLES) await tx.$executeRawUnsafe(`DELETE FROM ${table}`);
      let after = 0n;
      let proofs = 0;
      for (;;) {
        const batch = await tx.proof.findMany({
          where: { logIndex: { gt: after } },
          orderBy: { logIndex: 'asc' },
          take: REBUILD_BATCH,
          select: { raw: true, logIndex: true, receivedAt: true },
        });
        for (const row of batch) {
          await applyProofToViews(tx, { proof: JSON.parse(row.raw) as SignedProof, logIndex: row.logIndex, receivedAt: row.receivedAt });
          after = row.logIndex;
          proofs++;
        }
        if (batch.length < REBUILD_BATCH) break;
      }
      return { proofs, rows: await countViewRows(tx) };
    },
    { timeout: 10 * 60_000, maxWait: 60_000 },
  );
}

async function countViewRows(tx: Tx): Promise<RebuildReport['rows']> {
  return {
    thread_views: await tx.threadView.count(),
    reply_views: await tx.replyView.count(),
    reaction_counts: await tx.reactionCount.count(),
    reaction_states: await tx.reactionState.count(),
    identity_views: await tx.identityView.count(),
    moderation_views: await countModerationRows(tx),
  };
}

/** Every view row, sorted, as plain JSON: equal snapshots mean equal views. */
export async function snapshotViews(db: Db): Promise<Record<string, unknown[]>> {
  const plain = (rows: unknown[]) => JSON.parse(JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))) as unknown[];
  return {
    thread_views: plain(await db.threadView.findMany({ orderBy: { rootId: 'asc' } })),
    reply_views: plain(await db.replyView.findMany({ orderBy: { id: 'asc' } })),
    // Counts of zero are kept (a like then its undo leaves count 0), so live and rebuilt agree.
    reaction_counts: plain(await db.reactionCount.findMany({ orderBy: [{ targetId: 'asc' }, { kind: 'asc' }] })),
    reaction_states: plain(await db.reactionState.findMany({ orderBy: [{ targetId: 'asc' }, { issuer: 'asc' }, { kind: 'asc' }] })),
    identity_views: plain(await db.identityView.findMany({ orderBy: { did: 'asc' } })),
    moderation_views: plain(await snapshotModerationRows(db)),
  };
}
