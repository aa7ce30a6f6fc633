// Bundle export (docs/bundles.md): a thread, or a hub page by page, with everything a verifier
// needs offline: the proofs exactly as stored, their content (or the fact it was purged), every
// issuer's and delegating owner's identity chain, each proof's anchor, the certified heads the
// anchors name with consistency proofs between them, and the genesis validator set. Private hubs
// answer not_found to non-members, as every read does.
import { bytesToHex } from '@/lib/bytes';
import { BUNDLE_FORMAT, BUNDLE_VERSION } from '@/lib/bundle/schema';
import type { Bundle, BundleItem, BundlePage } from '@/lib/bundle/schema';
import { publicKeyToDidKey } from '@/lib/crypto/did-key';
import { consistencyProofToJson } from '@/lib/merkle';
import type { ConsistencyProofJson } from '@/lib/merkle';
import type { AnchorWire, CertifiedHeadWire, ValidatorSetWire } from '@/lib/protocol/chain';
import { loadAnchorsAtNewestHead } from '../chain/anchors';
import { chainServiceOf } from '../chain/registry';
import type { AppContext } from '../context';
import type { DbOrTx } from '../db/types';
import { refuse } from '../errors';
import type { ServiceResult } from '../errors';
import { hubAccess } from './hubs';
import type { Viewer } from './threads';

/** Identity-chain proof types: what decides which key signs which seq. */
const IDENTITY_TYPES = ['identity', 'key_rotation', 'delegation', 'revocation'];

export const HUB_PAGE_DEFAULT = 500;
export const HUB_PAGE_MAX = 2000;

interface ProofRow {
  id: string;
  raw: string;
  issuer: string;
  logIndex: bigint;
  content: { raw: string | null; purgedAt: Date | null } | null;
}

const rowSelect = { id: true, raw: true, issuer: true, logIndex: true, content: { select: { raw: true, purgedAt: true } } } as const;

/** The genesis validator set the hub's chain service pinned, or null when it runs without validators. */
export function validatorSetOf(ctx: AppContext): ValidatorSetWire | null {
  const genesis = chainServiceOf(ctx)?.config?.genesis;
  if (genesis === undefined) return null;
  return {
    chain_id: genesis.chainId,
    genesis_hash: genesis.hash,
    validators: genesis.validators.map((validator) => ({ index: validator.index, public_key: bytesToHex(validator.publicKey), did: publicKeyToDidKey(validator.publicKey) })),
    genesis: genesis.file,
  };
}

/** Consistency proofs between consecutive distinct tree sizes, from the hub's mirror of the log. */
async function consistencyBetween(ctx: AppContext, heads: readonly CertifiedHeadWire[]): Promise<ConsistencyProofJson[]> {
  const service = chainServiceOf(ctx);
  const sizes = [...new Set(heads.map((head) => head.tree_size))].filter((size) => size > 0).sort((a, b) => a - b);
  if (service === null || sizes.length < 2) return [];
  return service.mirror.sync((log) => {
    const proofs: ConsistencyProofJson[] = [];
    for (let i = 1; i < sizes.length; i++) {
      const proof = log.consistencyProof(sizes[i - 1] as number, sizes[i]);
      if (proof.ok) proofs.push(consistencyProofToJson(proof.value));
    }
    return proofs;
  });
}

/** Identity chains of every issuer of the items and every owner they act for. */
async function loadIdentities(db: DbOrTx, items: readonly BundleItem[]): Promise<Record<string, unknown>[]> {
  const dids = new Set<string>();
  for (const { proof } of items) {
    if (typeof proof.issuer === 'string') dids.add(proof.issuer);
    const claim = proof.claim as { on_behalf_of?: unknown; agent?: unknown } | undefined;
    if (typeof claim?.on_behalf_of === 'string') dids.add(claim.on_behalf_of);
  }
  if (dids.size === 0) return [];
  const rows = await db.proof.findMany({ where: { issuer: { in: [...dids] }, type: { in: IDENTITY_TYPES } }, orderBy: [{ issuer: 'asc' }, { seq: 'asc' }], select: { raw: true } });
  return rows.map((row) => JSON.parse(row.raw) as Record<string, unknown>);
}

function itemOf(row: ProofRow, anchors: ReadonlyMap<string, AnchorWire>): BundleItem {
  const proof = JSON.parse(row.raw) as Record<string, unknown>;
  const item: BundleItem = { proof, anchor: anchors.get(row.id) ?? null };
  if (row.content !== null) {
    if (row.content.purgedAt !== null || row.content.raw === null) {
      item.content = null;
      item.purged = true;
    } else item.content = JSON.parse(row.content.raw) as unknown;
  }
  return item;
}

async function assemble(ctx: AppContext, kind: Bundle['kind'], hub: string, thread: string | null, rows: readonly ProofRow[], source: string | null): Promise<Bundle> {
  // Every anchor names the newest certified head: one certificate for the whole bundle.
  const { anchors, heads } = await loadAnchorsAtNewestHead(ctx.prisma, chainServiceOf(ctx)?.mirror ?? null, rows.map((row) => row.id));
  const items = rows.map((row) => itemOf(row, anchors));
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    kind,
    hub,
    thread,
    exported_at: new Date().toISOString(),
    source,
    items,
    identities: await loadIdentities(ctx.prisma, items),
    validators: validatorSetOf(ctx),
    heads,
    consistency: await consistencyBetween(ctx, heads),
  };
}

/** A whole thread: its root, every reply, and every reaction and moderation on any of them. */
export async function exportThreadBundle(ctx: AppContext, rootId: string, viewer: Viewer, source: string | null = null): Promise<ServiceResult<BundlePage>> {
  const thread = await ctx.prisma.threadView.findUnique({ where: { rootId } });
  if (thread === null) return refuse('not_found', `there is no thread ${rootId}`);
  const access = await hubAccess(ctx.prisma, thread.hub, viewer.userId);
  if (access === null || !access.readable) return refuse('not_found', `there is no thread ${rootId}`);
  const rows = await ctx.prisma.proof.findMany({
    where: { OR: [{ id: rootId }, { refRoot: rootId }, { refParent: rootId }] },
    orderBy: { logIndex: 'asc' },
    select: rowSelect,
  });
  return { ok: true, value: { bundle: await assemble(ctx, 'thread', thread.hub, rootId, rows, source), next: null } };
}

/**
 * One page of a hub's proofs in log order after `cursor` (a log index). Each page is a bundle of
 * its own; `proofhub export` merges them and asks /api/v1/log/consistency for proofs between heads
 * of different pages.
 */
export async function exportHubBundlePage(
  ctx: AppContext,
  hubId: string,
  viewer: Viewer,
  page: { cursor?: string; limit: number },
  source: string | null = null,
): Promise<ServiceResult<BundlePage>> {
  const access = await hubAccess(ctx.prisma, hubId, viewer.userId);
  if (access === null || !access.readable) return refuse('not_found', `there is no hub "${hubId}"`);
  const rows = await ctx.prisma.proof.findMany({
    where: { hub: hubId, ...(page.cursor === undefined ? {} : { logIndex: { gt: BigInt(page.cursor) } }) },
    orderBy: { logIndex: 'asc' },
    take: page.limit + 1,
    select: rowSelect,
  });
  const pageRows = rows.slice(0, page.limit);
  const last = pageRows.at(-1);
  const next = rows.length > page.limit && last !== undefined ? last.logIndex.toString() : null;
  return { ok: true, value: { bundle: await assemble(ctx, 'hub', hubId, null, pageRows, source), next } };
}
