'use client';
// The page-wide warning when the hub's certified log is not the one this browser saw before
// (head-history.ts): a rollback, a fork, or a head whose certificate does not check.
import { useChainHead } from './use-chain-head';

const TITLES = {
  rollback: 'The hub rolled its log back',
  fork: 'The hub shows a forked log',
  invalid_certificate: 'The hub served an uncertified tree head',
  certificate_head_mismatch: 'The hub served a tree head its certificate does not name',
} as const;

export function ChainAlert() {
  const { alert } = useChainHead();
  if (alert === null) return null;
  return (
    <div role="alert" data-testid="chain-alert" data-code={alert.code} className="border-b border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
      <div className="mx-auto max-w-3xl">
        <p className="font-semibold">
          {TITLES[alert.code]} <span className="font-mono font-normal">({alert.code})</span>
        </p>
        <p className="mt-1">{alert.message}</p>
        <p className="mt-1 font-mono text-xs">
          seen: size {alert.seen.tree_size}, root {alert.seen.root.slice(0, 16)}… · now: size {alert.offered.tree_size}, root {alert.offered.root.slice(0, 16)}…
        </p>
        <p className="mt-1">Badges on this hub cannot be trusted until this is explained.</p>
      </div>
    </div>
  );
}
