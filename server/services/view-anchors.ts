// Anchors in thread views: each item of GET /api/v1/threads/:id carries its anchor
// (lib/protocol/chain.ts anchorSchema, the same object GET /api/v1/proofs/:id answers) in
// `view.anchor`, so a browser re-checks a 200-item thread's badges without one request per item.
// The anchor is only what the hub says: the browser still checks the certificate against its
// pinned genesis set and the inclusion proof up to the certified root before a badge turns green.
// Two queries per page however many items it holds: the anchors, then the heads they name.
import type { InclusionProofJson } from '@/lib/merkle';
import type { AnchorWire, CommitCertificateWire } from '@/lib/protocol/chain';
import type { ItemView } from '@/lib/protocol/views';
import type { DbOrTx } from '../db/types';

/** The anchors of the given proofs that are verified under a stored certified head, by proof id. */
export async function loadAnchorsOf(db: DbOrTx, ids: readonly string[]): Promise<Map<string, AnchorWire>> {
  const anchors = new Map<string, AnchorWire>();
  if (ids.length === 0) return anchors;
  const rows = await db.proofAnchor.findMany({
    where: { proofId: { in: [...ids] }, headHeight: { not: null }, leafIndex: { not: null }, blockHeight: { not: null } },
    select: { proofId: true, leafIndex: true, blockHeight: true, headHeight: true, inclusion: true },
  });
  const heights = [...new Set(rows.map((row) => row.headHeight).filter((height) => height !== null))];
  if (heights.length === 0) return anchors;
  const heads = new Map(
    (await db.chainHead.findMany({ where: { height: { in: heights } } })).map((head) => [
      head.height,
      // One certificate object per head: the items under the same head share it.
      { treeSize: Number(head.treeSize), root: head.root, certificate: { header: head.header, qc: head.qc } as CommitCertificateWire },
    ]),
  );
  for (const row of rows) {
    const head = row.headHeight === null ? undefined : heads.get(row.headHeight);
    if (head === undefined || row.inclusion === null || row.leafIndex === null || row.blockHeight === null) continue;
    anchors.set(row.proofId, {
      block_height: Number(row.blockHeight),
      leaf_index: Number(row.leafIndex),
      tree_size: head.treeSize,
      root: head.root,
      inclusion: row.inclusion as unknown as InclusionProofJson,
      certificate: head.certificate,
    });
  }
  return anchors;
}

/** Sets `view.anchor` on every item that has one; items without an anchor are left as they are. */
export async function attachAnchors(db: DbOrTx, items: readonly ItemView[]): Promise<void> {
  const anchors = await loadAnchorsOf(
    db,
    items.map((item) => item.proof.id),
  );
  for (const item of items) {
    const anchor = anchors.get(item.proof.id);
    if (anchor !== undefined) item.view.anchor = anchor;
  }
}
