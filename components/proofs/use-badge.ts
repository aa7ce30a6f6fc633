'use client';
// The badge of one item, decided in this browser (check-proof.ts). While the hub cannot be reached
// the badge stays `checking` and the check is retried with backoff: an unreachable hub is not a
// verdict on the proof.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { BadgeState } from './badge-state';
import { CheckUnavailableError, ProofChecker } from './check-proof';
import type { ItemToCheck } from './check-proof';

let checker: ProofChecker | undefined;

/** One checker per page: its caches (identities, prev proofs, verdicts) serve every item. */
export function browserProofChecker(): ProofChecker {
  checker ??= new ProofChecker(api);
  return checker;
}

const RETRY_DELAYS_MS = [1_000, 3_000, 10_000, 30_000];

export function useBadge(item: ItemToCheck | null): BadgeState {
  const [badge, setBadge] = useState<BadgeState>({ state: item === null ? 'pending' : 'checking' });
  const id = item === null ? null : (item.proof as { id?: unknown }).id;
  const contentKey = item === null ? null : JSON.stringify(item.content ?? null) + String(item.purged === true);

  useEffect(() => {
    if (item === null) {
      setBadge({ state: 'pending' });
      return;
    }
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setBadge({ state: 'checking' });
    const attempt = (tries: number) => {
      browserProofChecker()
        .badge(item)
        .then(
          (result) => {
            if (!cancelled) setBadge(result);
          },
          (error: unknown) => {
            if (cancelled) return;
            if (error instanceof CheckUnavailableError) {
              timer = setTimeout(() => attempt(tries + 1), RETRY_DELAYS_MS[Math.min(tries, RETRY_DELAYS_MS.length - 1)]);
            } else {
              setBadge({ state: 'invalid', reason: { code: 'check_failed', message: error instanceof Error ? error.message : String(error) } });
            }
          },
        );
    };
    attempt(0);
    return () => {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
    };
    // The item is identified by its proof id and content; a new object for the same item does not re-check.
  }, [id, contentKey]);

  return badge;
}
