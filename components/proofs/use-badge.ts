'use client';
// The badge of one item, decided in this browser, in two steps:
//   1. check-proof.ts: key history, id and signature, content, chain link → `signed` or `invalid`;
//   2. anchor-check.ts: when the hub says the proof is anchored or verified (the item's view, or
//      a live proof:status event), the anchor is checked here against the pinned validator set →
//      `anchored`, `verified` or `invalid`.
// While the hub cannot be reached the badge keeps what it has and the check is retried with
// backoff: an unreachable hub is not a verdict on the proof.
import { useEffect, useState } from 'react';
import type { ProofStatus } from '@/lib/protocol/views';
import { api } from '../api/client';
import { browserAnchorChecker } from './anchor-check';
import type { BadgeState } from './badge-state';
import { CheckUnavailableError, ProofChecker } from './check-proof';
import type { ItemToCheck } from './check-proof';
import { useProofStatus, useProofStatusFeed } from './proof-status';
import type { StatusEntry } from './proof-status';

let checker: ProofChecker | undefined;

/** One checker per page: its caches (identities, prev proofs, verdicts) serve every item. */
export function browserProofChecker(): ProofChecker {
  checker ??= new ProofChecker(api);
  return checker;
}

const RETRY_DELAYS_MS = [1_000, 3_000, 10_000, 30_000];

/** What the page's REST answer said about the item's anchor, before any live event. */
export interface InitialStatus {
  readonly status?: ProofStatus;
  readonly anchor?: unknown;
}

function retrying(run: () => Promise<void>, isCancelled: () => boolean, onFatal: (error: unknown) => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = (tries: number) => {
    run().catch((error: unknown) => {
      if (isCancelled()) return;
      if (error instanceof CheckUnavailableError) {
        timer = setTimeout(() => attempt(tries + 1), RETRY_DELAYS_MS[Math.min(tries, RETRY_DELAYS_MS.length - 1)]);
      } else {
        onFatal(error);
      }
    });
  };
  attempt(0);
  return () => {
    if (timer !== undefined) clearTimeout(timer);
  };
}

export function useBadge(item: ItemToCheck | null, initial: InitialStatus = {}): BadgeState {
  const [base, setBase] = useState<BadgeState>({ state: item === null ? 'pending' : 'checking' });
  const [badge, setBadge] = useState<BadgeState>(base);
  const id = item === null ? null : typeof (item.proof as { id?: unknown }).id === 'string' ? (item.proof as { id: string }).id : null;
  const contentKey = item === null ? null : JSON.stringify(item.content ?? null) + String(item.purged === true);

  useProofStatusFeed();
  const live = useProofStatus(id);
  const entry: StatusEntry | undefined =
    live ?? (initial.status === undefined || initial.status === 'invalid' ? undefined : { status: initial.status, ...(initial.anchor === undefined || initial.anchor === null ? {} : { anchor: initial.anchor }) });

  // Step 1: signature, content, chain link.
  useEffect(() => {
    if (item === null) {
      setBase({ state: 'pending' });
      return;
    }
    let cancelled = false;
    setBase({ state: 'checking' });
    const stop = retrying(
      async () => {
        const result = await browserProofChecker().badge(item);
        if (!cancelled) setBase(result);
      },
      () => cancelled,
      (error) => setBase({ state: 'invalid', reason: { code: 'check_failed', message: error instanceof Error ? error.message : String(error) } }),
    );
    return () => {
      cancelled = true;
      stop();
    };
    // The item is identified by its proof id and content; a new object for the same item does not re-check.
  }, [id, contentKey]);

  // Step 2: the anchor, re-checked whenever the hub's word on it changes.
  useEffect(() => {
    if (base.state !== 'signed') {
      setBadge(base);
      return;
    }
    setBadge((current) => (current.state === 'anchored' || current.state === 'verified' ? current : base));
    if (entry === undefined) return;
    let cancelled = false;
    const stop = retrying(
      async () => {
        const result = await browserAnchorChecker().badge(base.checked, entry);
        if (!cancelled) setBadge(result);
      },
      () => cancelled,
      (error) => setBadge({ state: 'invalid', reason: { code: 'check_failed', message: error instanceof Error ? error.message : String(error) } }),
    );
    return () => {
      cancelled = true;
      stop();
    };
  }, [base, entry?.status, entry?.anchor]);

  return badge;
}
