// Reading the chain state the follower stored: a proof's anchor (lib/protocol/chain.ts
// anchorSchema), certified heads, blocks. Any web instance can answer from the database alone,
// and with its log mirror it can also anchor many proofs to the newest certified head.
//
// Two anchors exist for a verified proof (docs/chain-anchoring.md, "Which head an anchor names"):
// - the FIRST anchor, stored by the follower when the proof became `verified`: the certified head
//   of the commit that carried its leaf. It is what proof:status reported and what
//   GET /api/v1/proofs/:id serves; it never changes.
// - an anchor to the NEWEST certified head, computed on demand (loadAnchorsAtNewestHead): the same
//   leaf index, with an RFC 9162 §2.1.3.1 inclusion path to the latest head from the hub's own
//   log. A thread or bundle served this way names one head, so its reader checks one commit
//   certificate and no consistency proofs instead of one of each per block the thread spans.
import { hexToBytes, bytesToHex } from '@/lib/bytes';
import type { AnchorWire, CertifiedHeadWire, CommitCertificateWire } from '@/lib/protocol/chain';
import { inclusionProofToJson } from '@/lib/merkle';
import type { InclusionProofJson } from '@/lib/merkle';
import type { DbOrTx } from '../db/types';
import type { LogMirror } from './log-mirror';

interface HeadRow {
  height: bigint;
  blockHash: string;
  treeSize: bigint;
  root: string;
  header: unknown;
  qc: unknown;
}

function certificateOf(row: HeadRow): CommitCertificateWire {
  return { header: row.header, qc: row.qc } as CommitCertificateWire;
}

export function headToWire(row: HeadRow): CertifiedHeadWire {
  return { height: Number(row.height), block_hash: row.blockHash, tree_size: Number(row.treeSize), root: row.root, certificate: certificateOf(row) };
}

/** The proof's first anchor (the head that first certified its leaf) once verified, else null. */
export async function loadAnchor(db: DbOrTx, proofId: string): Promise<AnchorWire | null> {
  const anchor = await db.proofAnchor.findUnique({ where: { proofId }, select: { leafIndex: true, blockHeight: true, headHeight: true, inclusion: true } });
  if (anchor === null || anchor.headHeight === null || anchor.leafIndex === null || anchor.blockHeight === null || anchor.inclusion === null) return null;
  const head = await db.chainHead.findUnique({ where: { height: anchor.headHeight } });
  if (head === null) return null;
  return {
    block_height: Number(anchor.blockHeight),
    leaf_index: Number(anchor.leafIndex),
    tree_size: Number(head.treeSize),
    root: head.root,
    inclusion: anchor.inclusion as unknown as InclusionProofJson,
    certificate: certificateOf(head),
  };
}

/** Anchors of a set of proofs and the certified heads they name. */
export interface AnchorSet {
  /** By proof id; proofs not verified yet have none. */
  readonly anchors: Map<string, AnchorWire>;
  /** Distinct heads the anchors name, by height ascending. */
  readonly heads: CertifiedHeadWire[];
}

/** The stored first anchors of the given proofs (verified ones only) and their heads, in two queries. */
export async function loadFirstAnchors(db: DbOrTx, ids: readonly string[]): Promise<AnchorSet> {
  const rows = await db.proofAnchor.findMany({
    where: { proofId: { in: [...ids] }, headHeight: { not: null }, leafIndex: { not: null }, blockHeight: { not: null } },
    select: { proofId: true, leafIndex: true, blockHeight: true, headHeight: true, inclusion: true },
  });
  const heights = [...new Set(rows.map((row) => row.headHeight as bigint))];
  const headRows = heights.length === 0 ? [] : await db.chainHead.findMany({ where: { height: { in: heights } }, orderBy: { height: 'asc' } });
  const heads = new Map(headRows.map((head): [bigint, CertifiedHeadWire] => [head.height, headToWire(head)]));
  const anchors = new Map<string, AnchorWire>();
  for (const row of rows) {
    const head = heads.get(row.headHeight as bigint);
    if (head === undefined || row.inclusion === null) continue;
    anchors.set(row.proofId, {
      block_height: Number(row.blockHeight),
      leaf_index: Number(row.leafIndex),
      tree_size: head.tree_size,
      root: head.root,
      inclusion: row.inclusion as unknown as InclusionProofJson,
      certificate: head.certificate,
    });
  }
  return { anchors, heads: [...heads.values()] };
}

/**
 * Anchors of the given proofs (verified ones only) to the newest certified head the database
 * holds: one head, one certificate, for all of them. Inclusion paths come from the hub's log
 * mirror (O(log n) hashes each, nothing rewritten in the database). Without a mirror (no chain
 * service on this instance), or if the mirror cannot give that head's root, the stored first
 * anchors are served instead: still correct, only more heads to check.
 */
export async function loadAnchorsAtNewestHead(db: DbOrTx, mirror: LogMirror | null, ids: readonly string[]): Promise<AnchorSet> {
  if (mirror === null) return loadFirstAnchors(db, ids);
  // Anchors first, then the head: the follower stores a head and the anchors it verifies in one
  // transaction, so the head read second covers every leaf read first.
  const rows = await db.proofAnchor.findMany({
    where: { proofId: { in: [...ids] }, headHeight: { not: null }, leafIndex: { not: null }, blockHeight: { not: null } },
    select: { proofId: true, leafIndex: true, blockHeight: true },
  });
  if (rows.length === 0) return { anchors: new Map(), heads: [] };
  const headRow = await db.chainHead.findFirst({ orderBy: { height: 'desc' } });
  if (headRow === null) return loadFirstAnchors(db, ids);
  const head = headToWire(headRow);
  const paths = await mirror.sync((log) => {
    // The follower's mirror may already hold leaves of a head still being stored: only the
    // prefix up to this head is used, and it must give this head's root.
    const root = log.rootAt(head.tree_size);
    if (!root.ok || bytesToHex(root.value) !== head.root) return null;
    const rootBytes = hexToBytes(head.root);
    const out = new Map<string, InclusionProofJson>();
    for (const row of rows) {
      const proof = log.inclusionProof(Number(row.leafIndex), head.tree_size);
      if (!proof.ok) return null;
      out.set(row.proofId, inclusionProofToJson(proof.value, rootBytes));
    }
    return out;
  });
  if (paths === null) return loadFirstAnchors(db, ids);
  const anchors = new Map<string, AnchorWire>();
  for (const row of rows) {
    anchors.set(row.proofId, {
      block_height: Number(row.blockHeight),
      leaf_index: Number(row.leafIndex),
      tree_size: head.tree_size,
      root: head.root,
      inclusion: paths.get(row.proofId) as InclusionProofJson,
      certificate: head.certificate,
    });
  }
  return { anchors, heads: [head] };
}

export async function latestHead(db: DbOrTx): Promise<CertifiedHeadWire | null> {
  const head = await db.chainHead.findFirst({ orderBy: { height: 'desc' } });
  return head === null ? null : headToWire(head);
}

export interface BlockSummaryWire {
  height: number;
  hash: string;
  parent: string;
  view: number;
  tree_size: number;
  root: string;
  leaf_count: number;
  certified_by: number;
  /** Signers of the block's own commit certificate (only the last block of each commit has one). */
  signers: number[] | null;
  committed_at: string;
}

export async function listBlocks(db: DbOrTx, before: number | null, limit: number): Promise<{ blocks: BlockSummaryWire[]; next_cursor: number | null }> {
  const rows = await db.chainBlock.findMany({ where: before === null ? {} : { height: { lt: BigInt(before) } }, orderBy: { height: 'desc' }, take: limit });
  const heads = new Map(
    (await db.chainHead.findMany({ where: { height: { in: rows.map((row) => row.height) } }, select: { height: true, qc: true } })).map((head) => [head.height, head.qc as { signers?: number[] }]),
  );
  const blocks = rows.map((row) => ({
    height: Number(row.height),
    hash: row.hash,
    parent: row.parent,
    view: Number(row.view),
    tree_size: Number(row.treeSize),
    root: row.root,
    leaf_count: row.leafCount,
    certified_by: Number(row.certifiedBy),
    signers: heads.get(row.height)?.signers ?? null,
    committed_at: row.receivedAt.toISOString(),
  }));
  const last = blocks.at(-1);
  return { blocks, next_cursor: last === undefined || last.height <= 1 || blocks.length < limit ? null : last.height };
}
