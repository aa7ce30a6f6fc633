// Anchors in thread views: each item of GET /api/v1/threads/:id carries its anchor
// (lib/protocol/chain.ts anchorSchema, the same object GET /api/v1/proofs/:id answers) in
// `view.anchor`, so a browser re-checks a 200-item thread's badges without one request per item.
// The anchor is only what the hub says: the browser still checks the certificate against its
// pinned genesis set and the inclusion proof up to the certified root before a badge turns green.
// Two queries per page however many items it holds: the anchors, then the heads they name.
import type { AnchorWire } from '@/lib/protocol/chain';
import type { ItemView } from '@/lib/protocol/views';
import { loadFirstAnchors } from '../chain/anchors';
import type { DbOrTx } from '../db/types';

/** The anchors of the given proofs that are verified under a stored certified head, by proof id. */
export async function loadAnchorsOf(db: DbOrTx, ids: readonly string[]): Promise<Map<string, AnchorWire>> {
  if (ids.length === 0) return new Map();
  return (await loadFirstAnchors(db, ids)).anchors;
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
