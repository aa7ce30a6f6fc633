// Anchors in thread views: each item of GET /api/v1/threads/:id carries its anchor
// (lib/protocol/chain.ts anchorSchema, the same object GET /api/v1/proofs/:id answers) in
// `view.anchor`, so a browser re-checks a 200-item thread's badges without one request per item.
// The anchor is only what the hub says: the browser still checks the certificate against its
// pinned genesis set and the inclusion proof up to the certified root before a badge turns green.
// Two queries per page however many items it holds: the anchors, then the head(s) they name.
//
// Which head (docs/chain-anchoring.md, "Which head an anchor names"): with the hub's log mirror
// every verified item is anchored to the NEWEST certified head (the same leaf index and block,
// an RFC 9162 inclusion path to that head computed from the mirror), as thread bundles are, so a
// browser checking a thread's badges checks one commit certificate instead of one per block the
// thread spans. Without a mirror, if the mirror does not give that head's root, or if reading it
// fails, each item's stored FIRST anchor is served (the one proof:status and
// GET /api/v1/proofs/:id give): as valid, with more certificates to check. A proof has exactly
// one leaf in the log (consensus refuses a block repeating a proof id, lib/consensus
// payload.ts `duplicate_leaf`) and one proof_anchors row, so both anchors name the same leaf.
import type { AnchorWire } from '@/lib/protocol/chain';
import type { ItemView } from '@/lib/protocol/views';
import { loadAnchorsAtNewestHead, loadFirstAnchors } from '../chain/anchors';
import type { LogMirror } from '../chain/log-mirror';
import type { DbOrTx } from '../db/types';

/** The anchors of the given proofs that are verified under a stored certified head, by proof id. */
export async function loadAnchorsOf(db: DbOrTx, ids: readonly string[], mirror: LogMirror | null = null): Promise<Map<string, AnchorWire>> {
  if (ids.length === 0) return new Map();
  if (mirror !== null) {
    try {
      return (await loadAnchorsAtNewestHead(db, mirror, ids)).anchors;
    } catch {
      // A mirror that cannot catch up (a gap in chain_leaves) must not fail the page: the stored
      // first anchors are as valid.
    }
  }
  return (await loadFirstAnchors(db, ids)).anchors;
}

/** Sets `view.anchor` on every item that has one; items without an anchor are left as they are. */
export async function attachAnchors(db: DbOrTx, items: readonly ItemView[], mirror: LogMirror | null = null): Promise<void> {
  const anchors = await loadAnchorsOf(
    db,
    items.map((item) => item.proof.id),
    mirror,
  );
  for (const item of items) {
    const anchor = anchors.get(item.proof.id);
    if (anchor !== undefined) item.view.anchor = anchor;
  }
}
