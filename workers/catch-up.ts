// Bulk catch-up of committed blocks from peers, run outside the consensus loop (at start, before
// the core runs, and whenever the node finds itself far behind). Nothing a peer sends is trusted:
// each run of blocks must hash-link to our head, every block's tree head must follow from its
// leaves, and the run is adopted only up to a block whose commit certificate verifies against the
// pinned genesis validator set (verifyCommitCertificate: 2f+1 distinct valid signatures over the
// header hash). Blocks above the last certified one are dropped and fetched again later.
//
// Bounded: pages of at most 100 blocks, answers of at most maxBytes, at most maxPendingBlocks held
// while looking for a certificate, and each request times out.
import { bytesEqual } from '@/lib/bytes';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { leafHashOf, type PinnedValidatorSet, verifyCommitCertificate } from '@/lib/consensus';
import type { Hasher } from '@/lib/merkle';
import type { Genesis } from './genesis';
import type { Ledger } from './ledger';
import type { Logger } from './logger';
import { fetchPeerJson, peerBaseUrl } from './peer-client';
import { type ChainIdentity, type CommittedBlockRecord, parseCommittedRecord } from './records';

export interface CatchUpContext {
  readonly genesis: Genesis;
  readonly self: number;
  readonly ledger: Ledger;
  readonly identity: ChainIdentity;
  readonly pinned: PinnedValidatorSet;
  readonly verifier: SignatureVerifier;
  readonly hasher: Hasher;
  readonly log: Logger;
  readonly onBlocks?: (count: number) => void;
}

export interface CatchUpOptions {
  readonly requestTimeoutMs?: number;
  readonly maxBytes?: number;
  readonly pageSize?: number;
  readonly maxPendingBlocks?: number;
  /** Checked between pages; true stops the catch-up (shutdown). */
  readonly shouldStop?: () => boolean;
}

export interface PeerHeight {
  readonly index: number;
  readonly height: number;
  readonly view: number;
}

/** Asks every peer's /status for its committed height; unreachable peers are left out. */
export async function queryPeerHeights(ctx: Pick<CatchUpContext, 'genesis' | 'self'>, timeoutMs: number): Promise<PeerHeight[]> {
  const peers = ctx.genesis.validators.filter((validator) => validator.index !== ctx.self);
  const answers = await Promise.all(
    peers.map(async (peer) => {
      try {
        const status = (await fetchPeerJson(`${peerBaseUrl(peer)}/status`, { timeoutMs, maxBytes: 64 * 1024 })) as { height?: unknown; view?: unknown };
        if (typeof status.height !== 'number' || !Number.isSafeInteger(status.height) || status.height < 0) return null;
        const view = typeof status.view === 'number' && Number.isSafeInteger(status.view) ? status.view : 0;
        return { index: peer.index, height: status.height, view };
      } catch {
        return null;
      }
    }),
  );
  return answers.filter((answer): answer is PeerHeight => answer !== null);
}

/**
 * Fetches and adopts committed blocks until no reachable peer is ahead. Returns the number of
 * blocks adopted. Never throws for a peer's fault: a peer that sends garbage is skipped.
 */
export async function catchUp(ctx: CatchUpContext, options: CatchUpOptions = {}): Promise<number> {
  const timeoutMs = options.requestTimeoutMs ?? 3000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const pageSize = Math.min(options.pageSize ?? 100, 100);
  const maxPending = options.maxPendingBlocks ?? 1000;
  let adopted = 0;
  for (;;) {
    if (options.shouldStop?.()) return adopted;
    const heights = (await queryPeerHeights(ctx, timeoutMs)).filter((peer) => peer.height > ctx.ledger.appliedHeight);
    if (heights.length === 0) return adopted;
    heights.sort((a, b) => b.height - a.height);
    let progressed = false;
    for (const peer of heights) {
      const gained = await catchUpFrom(ctx, peer, { timeoutMs, maxBytes, pageSize, maxPending, shouldStop: options.shouldStop });
      adopted += gained;
      if (gained > 0) {
        progressed = true;
        break;
      }
    }
    if (!progressed) return adopted;
  }
}

async function catchUpFrom(
  ctx: CatchUpContext,
  peer: PeerHeight,
  options: { timeoutMs: number; maxBytes: number; pageSize: number; maxPending: number; shouldStop: (() => boolean) | undefined },
): Promise<number> {
  const base = peerBaseUrl(ctx.genesis.validators[peer.index] as { host: string; port: number });
  let adopted = 0;
  let pending: CommittedBlockRecord[] = [];
  const start = ctx.ledger.log.frontier();
  if (!start.ok) return 0;
  const frontier = start.value;
  let expectedHeight = ctx.ledger.appliedHeight + 1;
  let expectedParent = ctx.ledger.appliedHash;
  while (expectedHeight <= peer.height) {
    if (options.shouldStop?.()) break;
    let page: unknown;
    try {
      page = await fetchPeerJson(`${base}/blocks?from=${expectedHeight}&limit=${options.pageSize}`, { timeoutMs: options.timeoutMs, maxBytes: options.maxBytes });
    } catch (error) {
      ctx.log.warn({ peer: peer.index, err: (error as Error).message }, 'catch-up request failed');
      break;
    }
    const blocks = (page as { blocks?: unknown }).blocks;
    if (!Array.isArray(blocks) || blocks.length === 0) break;
    let rejected = false;
    for (const json of blocks.slice(0, options.pageSize)) {
      const record = parseCommittedRecord(ctx.identity, json);
      if (typeof record === 'string' || record.height !== expectedHeight || !bytesEqual(record.block.parent, expectedParent)) {
        ctx.log.warn({ peer: peer.index, height: expectedHeight, problem: typeof record === 'string' ? record : 'does not extend our chain' }, 'catch-up: peer sent a bad block');
        rejected = true;
        break;
      }
      for (const leaf of record.block.leaves) frontier.append(leafHashOf(leaf, ctx.hasher));
      if (frontier.size !== record.block.treeHead.size || !bytesEqual(frontier.root(), record.block.treeHead.root)) {
        ctx.log.warn({ peer: peer.index, height: record.height }, 'catch-up: block tree head does not follow from its leaves');
        rejected = true;
        break;
      }
      pending.push(record);
      expectedHeight = record.height + 1;
      expectedParent = record.hash;
      if (record.certificate !== null) {
        const verdict = verifyCommitCertificate(ctx.pinned, record.header, record.certificate, ctx.verifier);
        if (!verdict.ok) {
          ctx.log.warn({ peer: peer.index, height: record.height, code: verdict.error.code }, 'catch-up: commit certificate does not verify');
          rejected = true;
          break;
        }
        ctx.ledger.apply(
          pending.map((entry) => entry.block),
          pending.map((entry) => entry.hash),
          record.certificate,
        );
        adopted += pending.length;
        ctx.onBlocks?.(pending.length);
        pending = [];
      }
      if (pending.length > options.maxPending) {
        rejected = true;
        break;
      }
    }
    if (rejected) break;
  }
  if (adopted > 0) {
    await ctx.ledger.flush();
    ctx.log.info({ peer: peer.index, blocks: adopted, height: ctx.ledger.appliedHeight }, 'caught up from peer');
  }
  return adopted;
}
