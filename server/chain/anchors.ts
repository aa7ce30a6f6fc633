// Reading the chain state the follower stored: a proof's anchor (lib/protocol/chain.ts
// anchorSchema), certified heads, blocks. Any web instance can answer from the database alone.
import type { AnchorWire, CertifiedHeadWire, CommitCertificateWire } from '@/lib/protocol/chain';
import type { InclusionProofJson } from '@/lib/merkle';
import type { DbOrTx } from '../db/types';

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

/** The proof's anchor once verified, else null. */
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
