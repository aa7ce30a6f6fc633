// Builds the views clients read (lib/protocol/views.ts) from stored proofs and the derived
// tables, in a fixed number of queries per page however many items it holds.
import type { ContentWire, ItemView, ProofStatus, ProofView, ReactionCounts, ReactionState, SignedProofWire, SignerView } from '@/lib/protocol/views';
import { REACTION_KINDS } from '@/lib/protocol/views';
import type { DbOrTx } from '../db/types';
import { loadModerationRows, toItemModeration } from './moderation-views';
import { emptyCounts } from './views';

/** The columns of a proof row (with its content) the read model needs. */
export interface ProofRow {
  id: string;
  raw: string;
  type: string;
  hub: string;
  issuer: string;
  seq: number;
  logIndex: bigint;
  receivedAt: Date;
  status: string;
  refParent: string | null;
  refRoot: string | null;
  content: { raw: string | null; purgedAt: Date | null } | null;
}

export const proofRowSelect = {
  id: true,
  raw: true,
  type: true,
  hub: true,
  issuer: true,
  seq: true,
  logIndex: true,
  receivedAt: true,
  status: true,
  refParent: true,
  refRoot: true,
  content: { select: { raw: true, purgedAt: true } },
} as const;

export function threadOf(row: Pick<ProofRow, 'id' | 'type' | 'refRoot'>): string | null {
  if (row.type === 'post') return row.id;
  if (row.type === 'reply' || row.type === 'reaction' || row.type === 'moderation') return row.refRoot;
  return null;
}

export async function loadSigners(db: DbOrTx, dids: Iterable<string>): Promise<Map<string, SignerView>> {
  const list = [...new Set(dids)];
  const [users, identities, agents] = await Promise.all([
    db.user.findMany({ where: { did: { in: list } }, select: { did: true, username: true } }),
    db.identityView.findMany({ where: { did: { in: list } }, select: { did: true, displayName: true } }),
    db.agent.findMany({ where: { did: { in: list } }, select: { id: true, did: true, owner: { select: { username: true } } } }),
  ]);
  const agentOf = new Map(agents.map((agent) => [agent.did, { id: agent.id, owner: agent.owner.username }]));
  const usernames = new Map(users.map((user) => [user.did, user.username]));
  const names = new Map(identities.map((identity) => [identity.did, identity.displayName]));
  return new Map(
    list.map((did) => {
      const agent = agentOf.get(did);
      return [did, { did, username: usernames.get(did) ?? null, display_name: names.get(did) ?? null, ...(agent === undefined ? {} : { agent }) }];
    }),
  );
}

/** One signer in one statement (loadSigners' three lookups joined): the proof:new path. */
export async function loadSigner(db: DbOrTx, did: string): Promise<SignerView> {
  const rows = await db.$queryRaw<{ username: string | null; display_name: string | null; agent_id: string | null; agent_owner: string | null }[]>`
    SELECT u.username, iv.display_name, a.id AS agent_id, o.username AS agent_owner
    FROM (SELECT ${did}::text AS did) s
    LEFT JOIN users u ON u.did = s.did
    LEFT JOIN identity_views iv ON iv.did = s.did
    LEFT JOIN agents a ON a.did = s.did
    LEFT JOIN users o ON o.id = a.owner_id`;
  return signerFromRow(did, rows[0]);
}

/** The columns loadSigner's join returns (also read by the view statements of server/services/views.ts). */
export interface SignerColumns {
  username: string | null;
  display_name: string | null;
  agent_id: string | null;
  agent_owner: string | null;
}

export function signerFromRow(did: string, row: SignerColumns | undefined): SignerView {
  const agent = row?.agent_id == null || row.agent_owner === null ? undefined : { id: row.agent_id, owner: row.agent_owner };
  return { did, username: row?.username ?? null, display_name: row?.display_name ?? null, ...(agent === undefined ? {} : { agent }) };
}

/** ProofViews for rows, with depths and signers looked up in two queries. */
export async function buildProofViews(db: DbOrTx, rows: readonly ProofRow[]): Promise<Map<string, ProofView>> {
  const replyIds = rows.filter((row) => row.type === 'reply').map((row) => row.id);
  const [depthRows, signers] = await Promise.all([
    replyIds.length === 0 ? [] : db.replyView.findMany({ where: { id: { in: replyIds } }, select: { id: true, depth: true } }),
    loadSigners(db, rows.map((row) => row.issuer)),
  ]);
  const depths = new Map(depthRows.map((row) => [row.id, row.depth]));
  const views = new Map<string, ProofView>();
  for (const row of rows) views.set(row.id, toProofView(row, depths.get(row.id) ?? null, signers.get(row.issuer) ?? { did: row.issuer, username: null, display_name: null }));
  return views;
}

/** The view of one row, given its reply depth (ignored unless a reply) and its signer. */
export function toProofView(row: ProofRow, replyDepth: number | null, signer: SignerView): ProofView {
  return {
    id: row.id,
    type: row.type,
    hub: row.hub,
    issuer: row.issuer,
    seq: row.seq,
    log_index: Number(row.logIndex),
    received_at: row.receivedAt.toISOString(),
    status: row.status as ProofStatus,
    thread: threadOf(row),
    parent: row.refParent,
    depth: row.type === 'post' ? 0 : row.type === 'reply' ? replyDepth : null,
    signer,
    purged: row.content?.purgedAt != null,
  };
}

export function contentOf(row: ProofRow): ContentWire | null {
  return row.content?.raw == null ? null : (JSON.parse(row.content.raw) as ContentWire);
}

/** ItemViews (proof, content, view, counts, the viewer's reactions) in the order of rows. */
export async function buildItems(db: DbOrTx, rows: readonly ProofRow[], viewerDid: string | null): Promise<ItemView[]> {
  const ids = rows.map((row) => row.id);
  const [views, countRows, mineRows, moderationRows] = await Promise.all([
    buildProofViews(db, rows),
    db.reactionCount.findMany({ where: { targetId: { in: ids } } }),
    viewerDid === null ? [] : db.reactionState.findMany({ where: { targetId: { in: ids }, issuer: viewerDid, active: true } }),
    loadModerationRows(db, ids),
  ]);
  const hiders = [...moderationRows.values()].flatMap((row) => (row.hiddenBy === null ? [] : [row.hiddenBy]));
  const moderators = hiders.length === 0 ? new Map<string, SignerView>() : await loadSigners(db, hiders);
  const counts = new Map<string, ReactionCounts>();
  for (const row of countRows) {
    if (!(REACTION_KINDS as readonly string[]).includes(row.kind)) continue;
    const entry = counts.get(row.targetId) ?? emptyCounts();
    entry[row.kind as keyof ReactionCounts] = row.count;
    counts.set(row.targetId, entry);
  }
  const mine = new Map<string, ReactionState>();
  for (const row of mineRows) {
    const entry = mine.get(row.targetId) ?? { like: false, verified: false, disputed: false };
    if ((REACTION_KINDS as readonly string[]).includes(row.kind)) entry[row.kind as keyof ReactionState] = true;
    mine.set(row.targetId, entry);
  }
  return rows.map((row) => {
    const view = views.get(row.id);
    if (view === undefined) throw new Error(`no view for ${row.id}`);
    const moderation = moderationRows.get(row.id);
    return {
      ...(moderation === undefined ? {} : { moderation: toItemModeration(moderation, moderators) }),
      proof: JSON.parse(row.raw) as SignedProofWire,
      content: contentOf(row),
      view,
      counts: counts.get(row.id) ?? emptyCounts(),
      mine: viewerDid === null ? null : (mine.get(row.id) ?? { like: false, verified: false, disputed: false }),
    };
  });
}
